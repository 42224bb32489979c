"""Common Alerting Protocol 1.2 documents for alert revisions (OASIS CAP-v1.2, 2010).

Each revision is one CAP message. Its ``references`` name every earlier message about the same
alert, so a receiving system can tie an Update or a Cancel to what it replaces.
"""

from datetime import datetime
from xml.etree import ElementTree as ET

from django.conf import settings
from django.utils import timezone

from alerts.models import AlertRevision
from portal.text import xml_safe_text
from portal.translated import translated, translation_languages

CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_CONTENT_TYPE = "application/cap+xml"
GEOCODE_NEIGHBOURHOOD = "precinct:neighbourhood"
GEOCODE_CITY = "precinct:city"


def cap_time(value: datetime) -> str:
    """CAP's dateTime form: local time with a numeric offset, never "Z" (the schema forbids it)."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def cap_references(revision: AlertRevision, earlier: list[AlertRevision]) -> str:
    """``sender,identifier,sent`` for each earlier message, space-separated (CAP 1.2, 3.2.1)."""
    return " ".join(f"{settings.ALERTS_CAP_SENDER},{e.identifier},{cap_time(e.sent_at)}" for e in earlier)


def cap_document(revision: AlertRevision, *, earlier: list[AlertRevision]) -> bytes:
    """The CAP 1.2 <alert> for ``revision``; ``earlier`` are the alert's previous revisions."""
    snapshot = revision.snapshot
    ET.register_namespace("", CAP_NAMESPACE)
    alert = ET.Element(_tag("alert"))
    _add(alert, "identifier", revision.identifier)
    _add(alert, "sender", settings.ALERTS_CAP_SENDER)
    _add(alert, "sent", cap_time(revision.sent_at))
    _add(alert, "status", "Actual")
    _add(alert, "msgType", revision.msg_type)
    _add(alert, "scope", "Public")
    if snapshot.get("note"):
        _add(alert, "note", snapshot["note"])
    if earlier:
        _add(alert, "references", cap_references(revision, earlier))

    # One <info> per language (CAP 1.2, 3.2.2): the source text, then each translation that has a headline.
    languages = [settings.LANGUAGE_CODE] + [
        language
        for language, _name in translation_languages()
        if ((snapshot.get("translations") or {}).get(language) or {}).get("headline")
    ]
    for language in languages:
        _add_info(alert, revision, language)
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)


def _add_info(alert: ET.Element, revision: AlertRevision, language: str) -> None:
    snapshot = revision.snapshot

    def text(field: str) -> str:
        return str(translated(snapshot, field, language))

    info = ET.SubElement(alert, _tag("info"))
    _add(info, "language", language)
    _add(info, "category", snapshot["category"])
    _add(info, "event", text("event"))
    # A cancellation tells receivers that no action is needed any more.
    is_cancel = revision.msg_type == AlertRevision.MessageType.CANCEL
    _add(info, "urgency", "Past" if is_cancel else snapshot["urgency"])
    _add(info, "severity", snapshot["severity"])
    _add(info, "certainty", snapshot["certainty"])
    _add(info, "onset", cap_time(datetime.fromisoformat(snapshot["starts_at"])))
    _add(info, "expires", cap_time(datetime.fromisoformat(snapshot["expires_at"])))
    _add(info, "senderName", f"{settings.SITE_NAME} · {settings.CITY_NAME}")
    _add(info, "headline", text("headline"))
    _add(info, "description", text("description"))
    if snapshot["instruction"]:
        _add(info, "instruction", text("instruction"))
    _add(info, "web", settings.SITE_URL + revision.alert.get_absolute_url())

    area = ET.SubElement(info, _tag("area"))
    if snapshot["city_wide"]:
        _add(area, "areaDesc", settings.CITY_NAME)
        _geocode(area, GEOCODE_CITY, settings.CITY_NAME)
    else:
        _add(area, "areaDesc", ", ".join(n["name"] for n in snapshot["neighbourhoods"]))
        for neighbourhood in snapshot["neighbourhoods"]:
            _geocode(area, GEOCODE_NEIGHBOURHOOD, neighbourhood["slug"])


def _tag(name: str) -> str:
    return f"{{{CAP_NAMESPACE}}}{name}"


def _add(parent: ET.Element, name: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _tag(name))
    # Revisions sent before input was cleaned may hold characters XML cannot carry.
    element.text = xml_safe_text(text)
    return element


def _geocode(area: ET.Element, value_name: str, value: str) -> None:
    geocode = ET.SubElement(area, _tag("geocode"))
    _add(geocode, "valueName", value_name)
    _add(geocode, "value", value)
