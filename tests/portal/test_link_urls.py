"""portal/link_urls.py, the named URLs a worker reverses its e-mails' links against, is the site's."""

from django.urls import get_resolver, reverse, set_urlconf

from portal.link_urls_source import DEVELOPMENT_URLCONF, LINK_URLS_PATH, link_urls_text


def test_link_urls_is_up_to_date():
    assert LINK_URLS_PATH.read_text() == link_urls_text(), "run `manage.py build_link_urls` and commit"


def _reversal(resolver) -> dict:
    """What reverse() makes of every name under ``resolver``, namespaces included: for each name
    its candidates (format strings and parameters, regex, default arguments, converters' kinds)."""
    names = {
        name: [
            (possibilities, pattern, defaults, {key: type(value) for key, value in converters.items()})
            for possibilities, pattern, defaults, converters in resolver.reverse_dict.getlist(name)
        ]
        for name in resolver.reverse_dict
        if isinstance(name, str)
    }
    namespaces = {
        namespace: (prefix, _reversal(child))
        for namespace, (prefix, child) in resolver.namespace_dict.items()
        if child.urlconf_name != DEVELOPMENT_URLCONF  # routed only under DEBUG, as in this suite
    }
    return {"names": names, "namespaces": namespaces}


def test_every_name_reverses_as_on_the_site():
    site = _reversal(get_resolver())
    links = _reversal(get_resolver("portal.link_urls"))

    assert {"admin", "newsletters", "programs"} <= site["namespaces"].keys()
    assert links == site


def test_links_reversed_in_a_pool_process_are_the_sites(settings):
    on_the_site = [
        reverse("newsletters:unsubscribe", args=["a1:b2"]),
        reverse("newsletters:archive-detail", kwargs={"code": "0b5f2c1e-3d4a-4b6c-8e9f-1a2b3c4d5e6f"}),
        reverse("admin:tips_tip_change", args=[7]),
    ]
    set_urlconf("portal.link_urls")
    try:
        in_a_pool_process = [
            reverse("newsletters:unsubscribe", args=["a1:b2"]),
            reverse("newsletters:archive-detail", kwargs={"code": "0b5f2c1e-3d4a-4b6c-8e9f-1a2b3c4d5e6f"}),
            reverse("admin:tips_tip_change", args=[7]),
        ]
    finally:
        set_urlconf(None)

    assert in_a_pool_process == on_the_site
