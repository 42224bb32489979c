"""The open feeds: Atom for people, CAP 1.2 for alerting systems, each checked with a real parser or schema."""

from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest
import xmlschema

from alerts.cap import CAP_NAMESPACE
from alerts.services import alert_cancel, alert_publish, alert_update
from tests.alerts.conftest import make_alert

pytestmark = pytest.mark.django_db

CAP_SCHEMA = xmlschema.XMLSchema(Path(__file__).with_name("CAP-v1.2.xsd"))
NS = {"cap": CAP_NAMESPACE}


def _cap(client, url) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    CAP_SCHEMA.validate(response.content.decode())
    return ET.fromstring(response.content)  # noqa: S314 - the portal's own output, already schema-checked.


def _text(element, path):
    return element.findtext(path, namespaces=NS)


def test_each_cap_message_validates_and_carries_the_alert(client, officer, alert_for_a, other_neighbourhood, settings):
    settings.ALERTS_CAP_SENDER = "police.riverton.example"
    first = alert_publish(actor=officer, alert=alert_for_a)
    doc = _cap(client, f"/alerts/{alert_for_a.code}/cap.xml")

    assert _text(doc, "cap:identifier") == first.identifier
    assert _text(doc, "cap:sender") == "police.riverton.example"
    assert _text(doc, "cap:status") == "Actual"
    assert _text(doc, "cap:msgType") == "Alert"
    assert _text(doc, "cap:scope") == "Public"
    assert doc.find("cap:references", NS) is None
    assert _text(doc, "cap:info/cap:category") == "Safety"
    assert _text(doc, "cap:info/cap:event") == "Burglary pattern"
    assert _text(doc, "cap:info/cap:urgency") == "Expected"
    assert _text(doc, "cap:info/cap:severity") == "Moderate"
    assert _text(doc, "cap:info/cap:certainty") == "Likely"
    assert _text(doc, "cap:info/cap:headline") == "Burglaries on Elm Street"
    assert _text(doc, "cap:info/cap:instruction").startswith("Lock doors")
    assert _text(doc, "cap:info/cap:expires")
    assert _text(doc, "cap:info/cap:area/cap:areaDesc") == "Riverside"
    assert _text(doc, "cap:info/cap:area/cap:geocode/cap:valueName") == "precinct:neighbourhood"
    assert _text(doc, "cap:info/cap:area/cap:geocode/cap:value") == "riverside"

    second = alert_update(
        actor=officer,
        alert=alert_for_a,
        changes={"headline": "Burglaries spreading"},
        neighbourhoods=[alert_for_a.neighbourhoods.get(), other_neighbourhood],
    )
    doc = _cap(client, f"/alerts/{alert_for_a.code}/cap.xml")
    assert _text(doc, "cap:msgType") == "Update"
    assert _text(doc, "cap:identifier") == second.identifier
    assert _text(doc, "cap:references").startswith(f"police.riverton.example,{first.identifier},")
    assert {g.text for g in doc.findall("cap:info/cap:area/cap:geocode/cap:value", NS)} == {"riverside", "old-town"}

    alert_cancel(actor=officer, alert=alert_for_a, note="Arrest made.")
    doc = _cap(client, f"/alerts/{alert_for_a.code}/cap.xml")
    assert _text(doc, "cap:msgType") == "Cancel"
    assert _text(doc, "cap:note") == "Arrest made."
    assert len(_text(doc, "cap:references").split(" ")) == 2
    # Each earlier message stays available as it was sent.
    assert _text(_cap(client, f"/alerts/{alert_for_a.code}/cap/1.xml"), "cap:msgType") == "Alert"
    assert (
        _text(_cap(client, f"/alerts/{alert_for_a.code}/cap/2.xml"), "cap:info/cap:headline") == "Burglaries spreading"
    )
    assert client.get(f"/alerts/{alert_for_a.code}/cap/4.xml").status_code == 404


def test_a_city_wide_alert_names_the_city_as_its_area(client, officer, settings):
    alert = make_alert(created_by=officer, city_wide=True)
    alert_publish(actor=officer, alert=alert)
    doc = _cap(client, f"/alerts/{alert.code}/cap.xml")
    assert _text(doc, "cap:info/cap:area/cap:areaDesc") == settings.CITY_NAME


def test_the_cap_feed_lists_the_latest_message_of_each_alert_including_cancellations(client, officer, neighbourhood):
    live = make_alert(created_by=officer, neighbourhoods=[neighbourhood], headline="Road closed on Main St")
    gone = make_alert(created_by=officer, neighbourhoods=[neighbourhood], headline="Missing child")
    make_alert(created_by=officer, neighbourhoods=[neighbourhood], headline="Draft never sent")
    alert_publish(actor=officer, alert=live)
    alert_publish(actor=officer, alert=gone)
    alert_cancel(actor=officer, alert=gone)

    feed = feedparser.parse(client.get("/alerts/cap/").content)
    assert not feed.bozo, feed.bozo_exception
    titles = sorted(entry.title for entry in feed.entries)
    assert titles == ["Alert: Road closed on Main St", "Cancel: Missing child"]
    for entry in feed.entries:
        cap_links = [link.href for link in entry.links if link.get("type") == "application/cap+xml"]
        assert len(cap_links) == 1
        doc = _cap(client, cap_links[0].removeprefix("http://127.0.0.1:8000").removeprefix("http://testserver"))
        assert _text(doc, "cap:msgType") == entry.title.split(":")[0]


def test_the_atom_feed_parses_and_marks_cancelled_alerts(client, officer, neighbourhood, other_neighbourhood):
    riverside = make_alert(created_by=officer, neighbourhoods=[neighbourhood], headline="Burglaries in Riverside")
    old_town = make_alert(created_by=officer, neighbourhoods=[other_neighbourhood], headline="Road closure in Old Town")
    everywhere = make_alert(created_by=officer, city_wide=True, headline="Storm warning")
    for alert in (riverside, old_town, everywhere):
        alert_publish(actor=officer, alert=alert)
    alert_cancel(actor=officer, alert=old_town)

    feed = feedparser.parse(client.get("/alerts/feed/").content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert {entry.title for entry in feed.entries} == {
        "Burglaries in Riverside",
        "Cancelled: Road closure in Old Town",
        "Storm warning",
    }
    entry = next(e for e in feed.entries if e.title == "Burglaries in Riverside")
    assert entry.link.endswith(riverside.get_absolute_url())
    assert entry.id == f"urn:uuid:{riverside.code}"

    local = feedparser.parse(client.get("/alerts/feed/riverside/").content)
    assert not local.bozo
    assert {entry.title for entry in local.entries} == {"Burglaries in Riverside", "Storm warning"}
    assert client.get("/alerts/feed/nowhere/").status_code == 404


def test_drafts_are_not_public(client, alert_for_a):
    assert client.get(alert_for_a.get_absolute_url()).status_code == 404
    assert client.get(f"/alerts/{alert_for_a.code}/cap.xml").status_code == 404
    assert feedparser.parse(client.get("/alerts/feed/").content).entries == []


def test_an_officers_text_reaches_feed_readers_as_text_not_markup(client, officer, neighbourhood):
    alert = make_alert(
        created_by=officer,
        neighbourhoods=[neighbourhood],
        description='Stay clear of <Elm & 5th>.\n\n<img src="https://tracker.example/p.gif"> was in the draft.',
    )
    alert_publish(actor=officer, alert=alert)

    body = client.get("/alerts/feed/").content.decode()
    # The summary is HTML for the reader: the officer's angle brackets arrive escaped, as text.
    summary = feedparser.parse(body).entries[0].summary
    assert "&lt;Elm &amp; 5th&gt;" in summary
    assert "<img" not in summary and "&lt;img" in summary
