"""Participants record findings; photos lose their EXIF; everyone else is turned away."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from PIL import Image

from audits import services
from audits.models import Finding, FindingPhoto
from meetings.models import Rsvp
from tests.audits.conftest import check_in, default_template, jpeg_with_gps, make_walk, photo_file
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def _url(walk, name="audits:finding-create"):
    return reverse(name, args=[walk.meeting.slug])


def _answers(walk, rating="urgent"):
    item = default_template().items.first()
    return {f"item_{item.pk}": rating, f"item_{item.pk}_note": "Two lamps out"}


def test_a_checked_in_resident_records_a_finding_with_a_photo_stored_without_gps(client, walk, participant):
    client.force_login(participant)
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the test photo does carry GPS

    response = client.post(
        _url(walk),
        {**_answers(walk), "notes": "The underpass is dark", "address": "Mill Lane", "photos": [photo_file(original)]},
    )

    assert response.status_code == 302
    finding = Finding.objects.get(walk=walk)
    assert (finding.author, finding.notes, finding.status) == (participant, "The underpass is dark", "new")
    assert finding.answers.get().note == "Two lamps out"
    photo = FindingPhoto.objects.get(finding=finding)
    with photo.image.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert not image.getexif()  # no EXIF at all: no GPS, no camera make
    assert b"SpyCam" not in data and b"taken by jane" not in data
    assert "IMG_0001" not in photo.image.name  # the uploader's file name is not kept


def test_a_resident_not_checked_in_is_refused(client, walk, resident):
    client.force_login(resident)
    Rsvp.objects.create(meeting=walk.meeting, user=resident)  # registered, never checked in

    assert client.get(_url(walk)).status_code == 403
    assert client.post(_url(walk), {**_answers(walk), "notes": "x"}).status_code == 403
    assert not Finding.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, walk):
    response = client.post(_url(walk), {"notes": "x"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Finding.objects.exists()


def test_an_officer_records_without_registering(officer_client, walk):
    response = officer_client.post(_url(walk), {"notes": "Bins block the exit"})
    assert response.status_code == 302
    assert Finding.objects.filter(walk=walk, notes="Bins block the exit").exists()


def test_findings_close_a_fortnight_after_the_walk(client, neighbourhood):
    walk = make_walk(neighbourhood=neighbourhood, started_ago=timedelta(days=16))
    user = make_user("late@example.com")
    check_in(walk, user)
    client.force_login(user)
    assert client.get(_url(walk)).status_code == 403


def test_an_unpublished_walk_is_not_found(client, participant, walk):
    walk.meeting.is_published = False
    walk.meeting.save()
    client.force_login(participant)
    assert client.get(_url(walk)).status_code == 404


@pytest.mark.parametrize(
    ("coordinates", "field", "message"),
    [
        ({"latitude": "91", "longitude": "10"}, "latitude", "less than or equal to 90"),
        ({"latitude": "41.5", "longitude": "-181"}, "longitude", "greater than or equal to -180"),
        ({"latitude": "41.5"}, "longitude", "Give both the latitude and the longitude"),
        ({"latitude": "north", "longitude": "10"}, "latitude", "Enter a number"),
    ],
)
def test_bad_coordinates_are_explained_and_nothing_typed_is_lost(
    client, walk, participant, coordinates, field, message
):
    client.force_login(participant)
    data = {**_answers(walk), "notes": "Broken fence by the canal", "address": "Canal path", **coordinates}

    response = client.post(_url(walk), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Broken fence by the canal" in html and "Canal path" in html and "Two lamps out" in html
    assert not Finding.objects.exists()


def test_a_map_square_outside_the_grid_is_refused(client, walk, participant):
    client.force_login(participant)
    response = client.post(_url(walk), {"notes": "Dark corner", "map_cell": "Z9"})
    assert response.status_code == 200 and "map_cell" in response.context["form"].errors
    response = client.post(_url(walk), {"notes": "Dark corner", "map_cell": "C4"})
    assert response.status_code == 302
    assert Finding.objects.get().map_cell == "C4"


def test_an_empty_finding_is_refused_with_a_message(client, walk, participant):
    client.force_login(participant)
    response = client.post(_url(walk), {"notes": "  "})
    assert response.status_code == 200
    assert "Answer at least one checklist point" in response.content.decode()


def test_a_file_that_is_not_a_photo_is_refused_and_the_text_kept(client, walk, participant):
    client.force_login(participant)
    response = client.post(
        _url(walk), {"notes": "Graffiti on the wall", "photos": [photo_file(b"#!/bin/sh\necho hi\n", "run.sh")]}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is not a photo or a PDF" in html and "Graffiti on the wall" in html
    assert "choose them again" in html
    assert not Finding.objects.exists()


def test_a_pixel_bomb_is_refused(walk, participant):
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, format="PNG")  # 81 megapixels in a few kilobytes
    with pytest.raises(services.AuditError, match="too big a picture"):
        services.finding_record(walk=walk, author=participant, notes="x", photos=[(out.getvalue(), "bomb.png")])
    assert not Finding.objects.exists()


def test_a_photo_is_shown_to_its_author_and_officers_only(client, walk, participant, other_resident, officer):
    finding = services.finding_record(walk=walk, author=participant, photos=[(jpeg_with_gps(), "a.jpg")])
    url = finding.photos.get().get_absolute_url()
    client.force_login(participant)
    assert client.get(url).status_code == 200
    client.force_login(other_resident)
    assert client.get(url).status_code == 404
    client.force_login(officer)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302


def test_a_resident_sees_their_own_findings_only(client, walk, participant, other_resident):
    services.finding_record(walk=walk, author=participant, notes="Mine")
    check_in(walk, other_resident)
    services.finding_record(walk=walk, author=other_resident, notes="Theirs")
    client.force_login(participant)
    html = client.get(_url(walk, "audits:own-findings")).content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_findings_are_rate_limited_with_a_message_and_the_text_kept(client, walk, participant, monkeypatch):
    monkeypatch.setattr("audits.views.FINDINGS_PER_HOUR", 1)
    client.force_login(participant)
    assert client.post(_url(walk), {"notes": "First"}).status_code == 302
    response = client.post(_url(walk), {"notes": "Second one"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "Second one" in html
    assert Finding.objects.count() == 1


def test_a_photo_over_the_size_limit_is_refused_before_it_is_read(client, walk, participant, monkeypatch):
    # The upload's size is known without reading it: a 1 GB file must not be read into memory to
    # be refused. The form's limit is lowered here only, so the service's own check cannot answer.
    from tips import forms as tip_forms

    monkeypatch.setattr(tip_forms, "MAX_ATTACHMENT_BYTES", 1024 * 1024)
    client.force_login(participant)
    big = photo_file(b"\0" * (1024 * 1024 + 1), "IMG_big.jpg")
    response = client.post(_url(walk), {"notes": "Broken fence", "photos": [big]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "“IMG_big.jpg” is larger than 1 MB. Send a smaller file." in html and "Broken fence" in html
    assert not Finding.objects.exists()
