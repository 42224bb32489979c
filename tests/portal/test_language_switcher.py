"""Everyone can switch language from the header: visitors keep it in a cookie, residents in their
profile too, and their subscription follows. Tip pages switch by link and set no cookie."""

import pytest
from django.conf import settings

from accounts.selectors import profile_for
from newsletters.models import ConsentRecord, Subscription

SETLANG = "/i18n/setlang/"


def _switch(client, language: str, next_url: str = "/meetings/", **headers):
    return client.post(SETLANG, {"language": language, "next": next_url}, headers=headers)


@pytest.mark.django_db
def test_the_header_offers_the_other_language_named_in_itself(client):
    page = client.get("/").content.decode()
    assert f'action="{SETLANG}"' in page
    assert 'value="es" lang="es"' in page and ">Español<" in page
    assert "csrfmiddlewaretoken" not in page  # the switcher keeps public pages cacheable
    spanish = client.get("/", headers={"accept-language": "es"}).content.decode()
    assert 'value="en" lang="en"' in spanish and ">English<" in spanish


@pytest.mark.django_db
def test_a_visitor_switches_to_spanish_and_it_is_remembered(client):
    response = _switch(client, "es")
    assert response.status_code == 302 and response["Location"] == "/meetings/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    page = client.get("/meetings/")
    assert page["Content-Language"] == "es"
    assert '<html lang="es">' in page.content.decode()


@pytest.mark.django_db
def test_the_subscribe_form_defaults_to_the_language_of_the_page(client):
    _switch(client, "es")
    page = client.get("/newsletters/subscribe/").content.decode()
    assert '<option value="es" selected>Español</option>' in page


@pytest.mark.django_db
def test_a_resident_switch_is_saved_to_the_profile_and_the_subscription_follows(client, resident):
    subscription = Subscription.objects.create(
        email=resident.email, user=resident, status=Subscription.Status.ACTIVE, language="en"
    )
    client.force_login(resident)
    response = _switch(client, "es", "/me/profile/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert profile_for(resident).preferred_language == "es"
    subscription.refresh_from_db()
    assert subscription.language == "es"
    record = ConsentRecord.objects.get(subscription=subscription)
    assert record.changes == {"language": ["en", "es"]} and record.actor == resident
    assert '<option value="es" selected>Español</option>' in client.get("/me/profile/").content.decode()


@pytest.mark.django_db
def test_the_profile_language_and_the_e_mail_language_are_one_setting(client, resident):
    subscription = Subscription.objects.create(email=resident.email, status=Subscription.Status.ACTIVE, language="en")
    client.force_login(resident)
    form = {"display_name": "Alice", "phone": "", "home_neighbourhood": "", "preferred_language": "es"}
    client.post("/me/profile/", form)
    subscription.refresh_from_db()
    assert subscription.language == "es"  # made with the account's address before it was linked

    preferences = {"subscribed": "on", "topics": ["newsletter"], "digest_frequency": "weekly", "language": "en"}
    response = client.post("/newsletters/preferences/", preferences)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert profile_for(resident).preferred_language == "en"


@pytest.mark.django_db
def test_a_language_the_site_does_not_offer_is_refused_clearly(client, resident):
    client.force_login(resident)
    response = _switch(client, "xx")
    assert response.status_code == 400
    assert "We do not offer that language" in response.content.decode()
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert profile_for(resident).preferred_language == "en"


@pytest.mark.django_db
def test_a_switch_posted_by_another_site_is_refused(client, resident):
    client.force_login(resident)
    response = _switch(client, "es", **{"sec-fetch-site": "cross-site"})
    assert response.status_code == 403
    assert profile_for(resident).preferred_language == "en"


@pytest.mark.django_db
def test_switching_does_not_send_a_visitor_to_another_site(client):
    response = _switch(client, "es", "https://evil.example/")
    assert response.status_code == 302 and not response["Location"].startswith("https://evil")


def test_get_of_the_switcher_is_a_designed_405(client):
    response = client.get(SETLANG)
    assert response.status_code == 405 and "This address only answers a form" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["/tips/", "/tips/follow-up/"])
def test_tip_pages_switch_language_by_link_and_set_no_cookie(client, address):
    page = client.get(address)
    content = page.content.decode()
    assert not page.cookies
    assert f'href="{address}?lang=es"' in content and SETLANG not in content
    spanish = client.get(f"{address}?lang=es")
    assert spanish["Content-Language"] == "es" and not spanish.cookies
    assert not client.cookies
    # The form posts back in the language chosen.
    assert f'action="{address}?lang=es"' in spanish.content.decode()


@pytest.mark.django_db
def test_a_visitor_who_chose_spanish_signs_up_with_a_spanish_profile(client):
    from django.contrib.auth import get_user_model

    _switch(client, "es")
    form = {"email": "nuevo@example.com", "password1": "a-long-pass-phrase-42", "password2": "a-long-pass-phrase-42"}
    client.post("/accounts/signup/", form)
    user = get_user_model().objects.get(email="nuevo@example.com")
    assert profile_for(user).preferred_language == "es"
