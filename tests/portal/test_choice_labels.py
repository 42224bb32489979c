"""get_<field>_display() from a table built once per field: the same labels, translated when shown."""

from unittest import mock

from django.db.models import Field
from django.utils import translation

from meetings.models import Meeting, Rsvp
from programs.models import Application


def test_labels_in_each_language_built_once():
    meeting = Meeting(kind=Meeting.Kind.TOWN_HALL, mode=Meeting.Mode.ONLINE)
    flatchoices = Field.flatchoices
    with mock.patch.object(Field, "flatchoices", new_callable=mock.PropertyMock) as read:
        read.side_effect = lambda: flatchoices.fget(Meeting._meta.get_field("kind"))
        Meeting._meta.get_field("kind").__dict__.pop("_precinct_labels", None)
        with translation.override("en"):
            english = [meeting.get_kind_display() for _ in range(10)]
        with translation.override("es"):
            spanish = meeting.get_kind_display()
    assert read.call_count == 1
    assert english == [str(Meeting.Kind.TOWN_HALL.label)] * 10
    with translation.override("es"):
        assert spanish == str(Meeting.Kind.TOWN_HALL.label) != english[0]


def test_unknown_values_and_other_models():
    assert Meeting(kind="no-such-kind").get_kind_display() == "no-such-kind"
    assert Rsvp(status=Rsvp.Status.GOING).get_status_display() == str(Rsvp.Status.GOING.label)
    assert Application(status=Application.Status.PENDING).get_status_display() == str(Application.Status.PENDING.label)


def test_replaced_choices_are_seen():
    field = Meeting._meta.get_field("kind")
    original = field.choices
    try:
        Meeting(kind="town_hall").get_kind_display()
        field.choices = [("town_hall", "Renamed")]
        assert Meeting(kind="town_hall").get_kind_display() == "Renamed"
    finally:
        field.choices = original
        field.__dict__.pop("_precinct_labels", None)
