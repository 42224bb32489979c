"""Atom feeds: alerts for people's feed readers, and a CAP index for other alerting systems."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alerts import selectors
from alerts.cap import CAP_CONTENT_TYPE
from alerts.models import Alert, AlertRevision
from neighbourhoods.models import Neighbourhood
from portal.text import xml_safe_text
from portal.translated import translated

FEED_SIZE = 50


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def _xml_safe(value):
    if isinstance(value, str):
        return xml_safe_text(value)
    if isinstance(value, list | tuple):
        return [_xml_safe(part) for part in value]
    return value


class XmlSafeAtom1Feed(Atom1Feed):
    """Atom that stays well-formed whatever an older row holds: characters XML cannot carry are dropped."""

    def __init__(self, *args, **kwargs):
        super().__init__(*(_xml_safe(arg) for arg in args), **{key: _xml_safe(v) for key, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*(_xml_safe(arg) for arg in args), **{key: _xml_safe(v) for key, v in kwargs.items()})


class AlertFeedGenerator(XmlSafeAtom1Feed):
    """Atom, with each alert's CAP document linked beside its page (rel="related")."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement(
            "link", "", {"href": _absolute(item["cap_url"]), "rel": "related", "type": CAP_CONTENT_TYPE}
        )


class CapFeedGenerator(XmlSafeAtom1Feed):
    """Atom with each entry's CAP document linked as rel="alternate" type="application/cap+xml"."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement(
            "link", "", {"href": _absolute(item["cap_url"]), "rel": "alternate", "type": CAP_CONTENT_TYPE}
        )


class AlertAtomFeed(Feed):
    """Published and cancelled alerts, all or for one neighbourhood (with the city-wide ones)."""

    feed_type = AlertFeedGenerator

    def get_object(self, request, slug=None):
        return get_object_or_404(Neighbourhood, slug=slug) if slug else None

    def title(self, obj):
        if obj is None:
            return _("%(site)s safety alerts for %(city)s") % {"site": settings.SITE_NAME, "city": settings.CITY_NAME}
        return _("%(site)s safety alerts for %(area)s") % {"site": settings.SITE_NAME, "area": obj.name}

    def subtitle(self, obj):
        return _("Alerts from the police department, newest first. Cancelled alerts stay listed, marked so.")

    def link(self, obj):
        url = reverse("alerts:list")
        return f"{url}?neighbourhood={obj.slug}" if obj else url

    def items(self, obj):
        return selectors.public_alerts(neighbourhood=obj)[:FEED_SIZE]

    # In the reader's language (the feed's xml:lang), or the source text where untranslated.
    def item_title(self, item: Alert):
        headline = translated(item, "headline")
        if item.status == Alert.Status.CANCELLED:
            return _("Cancelled: %(headline)s") % {"headline": headline}
        return str(headline)

    def item_description(self, item: Alert):
        # Feeds carry the description as HTML (Atom type="html"): an officer's text is plain text, so
        # it is escaped here, or a "<" in it would be markup in every reader.
        parts = [translated(item, "description"), translated(item, "instruction")]
        return linebreaks("\n\n".join(str(part) for part in parts if part), autoescape=True)

    def item_link(self, item: Alert):
        return item.get_absolute_url()

    def item_guid(self, item: Alert):
        return f"urn:uuid:{item.code}"

    def item_pubdate(self, item: Alert):
        return item.published_at

    def item_updateddate(self, item: Alert):
        return item.last_sent_at

    def item_categories(self, item: Alert):
        return [item.get_category_display(), item.get_severity_display()]

    def item_extra_kwargs(self, item: Alert):
        return {"cap_url": reverse("alerts:cap", kwargs={"code": item.code})}


class CapFeed(Feed):
    """The latest CAP message about each alert (Alert, Update or Cancel), for alerting systems."""

    feed_type = CapFeedGenerator
    title = gettext_lazy("CAP 1.2 safety alerts")
    subtitle = gettext_lazy("The latest Common Alerting Protocol message about each alert.")

    def link(self):
        return reverse("alerts:list")

    def items(self):
        return selectors.latest_revisions(limit=FEED_SIZE)

    def item_title(self, item: AlertRevision):
        return f"{item.msg_type}: {item.snapshot['headline']}"

    def item_description(self, item: AlertRevision):
        return linebreaks(item.snapshot["description"], autoescape=True)

    def item_link(self, item: AlertRevision):
        return item.alert.get_absolute_url()

    def item_guid(self, item: AlertRevision):
        return settings.SITE_URL + _revision_cap_path(item)

    def item_updateddate(self, item: AlertRevision):
        return item.sent_at

    def item_pubdate(self, item: AlertRevision):
        return item.sent_at

    def item_extra_kwargs(self, item: AlertRevision):
        return {"cap_url": _revision_cap_path(item)}


def _revision_cap_path(revision: AlertRevision) -> str:
    return reverse("alerts:revision-cap", kwargs={"code": revision.alert.code, "number": revision.number})
