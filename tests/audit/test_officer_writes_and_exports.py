"""Every export of personal data and every officer write in the admin leaves an audit entry, naming
changed fields but not their values; the audit log itself stays read-only."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from audit.mixins import AuditedModelAdmin
from audit.models import AuditEntry
from meetings.services import rsvp_create
from neighbourhoods.models import Neighbourhood
from newsletters.models import Newsletter
from programs import services as program_services
from tests.alerts.conftest import make_alert
from tests.conftest import desk_client_for, make_user
from tests.meetings.conftest import make_meeting
from tests.programs.conftest import make_program
from watch.services import watch_group_propose

pytestmark = pytest.mark.django_db

# Apps whose admin is not the officers' to edit, or keeps its own log (tips).
NOT_AUDITED_HERE = {"tips", "audit", "auth", "sites", "account", "socialaccount", "mfa", "usersessions"}


class FormFields(HTMLParser):
    """The values a browser would post from the admin's change form, read from its HTML."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = None
        self._textarea = None
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form or ("name" not in attrs and tag != "option"):
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
                return
            self.data.setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs["name"]
            self.data.setdefault(self._select, [])
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                self.data[self._textarea][0] = self.data[self._textarea][0].removeprefix("\n")
            self._textarea = None
        elif tag == "form":
            self._in_form = False


def edit_in_the_admin(client, url: str, **changes) -> None:
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    data = {name: values if len(values) != 1 else values[0] for name, values in parser.data.items()}
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', response.content.decode())


@pytest.fixture
def chief_client(db):
    """A superuser at the desk: every model's admin pages open to them."""
    return desk_client_for(make_user("chief@example.com", is_staff=True, is_superuser=True))


def test_every_officer_facing_admin_is_audited():
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in NOT_AUDITED_HERE:
            assert isinstance(model_admin, AuditedModelAdmin), f"{model._meta.label}'s admin writes no audit entry"


def _program(neighbourhood):
    return make_program()


def _meeting(neighbourhood):
    return make_meeting(neighbourhood=neighbourhood)


def _draft_alert(neighbourhood):
    return make_alert(created_by=make_user("drafter@example.com", is_staff=True), neighbourhoods=[neighbourhood])


def _newsletter(neighbourhood):
    return Newsletter.objects.create(subject="Bike thefts are down", body="Lock your bike.")


def _watch_group(neighbourhood):
    return watch_group_propose(
        user=make_user("coordinator@example.com"), neighbourhood=neighbourhood, name="Elm Watch", description="Elm St."
    )


@pytest.mark.parametrize(
    ("make", "field", "value", "verbose"),
    [
        (_program, "title", "Renamed academy", "title"),
        (_meeting, "title", "Renamed meeting", "title"),
        (_draft_alert, "headline", "Renamed alert", "headline"),
        (_newsletter, "subject", "Renamed newsletter", "subject"),
        (_watch_group, "name", "Renamed watch", "name"),
        (lambda neighbourhood: neighbourhood, "name", "Renamed neighbourhood", "name"),
    ],
)
def test_an_officer_edit_writes_an_audit_entry_with_field_names_only(
    chief_client, neighbourhood, make, field, value, verbose
):
    obj = make(neighbourhood)
    AuditEntry.objects.all().delete()  # only what the edit writes (queryset delete: the test's own set-up)

    edit_in_the_admin(
        chief_client, f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/", **{field: value}
    )

    entry = AuditEntry.objects.get(action="admin.change")
    assert (entry.actor.email, entry.target_type, entry.target_id) == (
        "chief@example.com",
        obj._meta.label_lower,
        str(obj.pk),
    )
    assert verbose in [name.lower() for name in entry.detail["fields"]]
    assert value not in str(entry.detail)


def test_adding_and_deleting_in_the_admin_are_audited(chief_client):
    chief_client.post("/admin/neighbourhoods/neighbourhood/add/", {"name": "Harbour", "slug": "harbour"})
    harbour = Neighbourhood.objects.get(slug="harbour")
    chief_client.post(f"/admin/neighbourhoods/neighbourhood/{harbour.pk}/delete/", {"post": "yes"})
    hill = Neighbourhood.objects.create(name="Hill", slug="hill")
    chief_client.post(
        "/admin/neighbourhoods/neighbourhood/",
        {"action": "delete_selected", "_selected_action": [hill.pk], "post": "yes"},
    )

    assert not Neighbourhood.objects.filter(slug__in=["harbour", "hill"]).exists()
    assert list(AuditEntry.objects.order_by("id").values_list("action", "target_repr")) == [
        ("admin.add", "Harbour"),
        ("admin.delete", "Harbour"),
        ("admin.delete", "Hill"),
    ]


def test_an_admin_action_is_audited_with_the_selection(desk_client, officer, neighbourhood):
    meeting = make_meeting(neighbourhood=neighbourhood, is_published=False)

    desk_client.post("/admin/meetings/meeting/", {"action": "publish", "_selected_action": [meeting.pk]})

    entry = AuditEntry.objects.get(action="admin.action")
    assert (entry.actor, entry.target_type, entry.detail) == (
        officer,
        "meetings.meeting",
        {"action": "publish", "count": 1, "ids": [str(meeting.pk)]},
    )


def test_the_program_roster_export_is_audited_with_its_row_count(desk_client, officer):
    program = make_program(capacity=1)
    for number in range(3):
        program_services.application_submit(program=program, applicant=make_user(f"applicant{number}@example.com"))

    response = desk_client.post(
        "/admin/programs/program/", {"action": "export_roster", "_selected_action": [program.pk]}
    )

    assert response["Content-Type"].startswith("text/csv")
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.target_type) == (officer, "programs.program")
    assert entry.detail["rows"] == 3
    assert entry.detail["ids"] == [str(program.pk)]
    assert entry.detail["filename"].startswith("program-roster-")
    assert "applicant0@example.com" not in str(entry.detail)


def test_the_rsvp_csv_export_is_audited_with_its_row_count(desk_client, officer, neighbourhood):
    meeting = make_meeting(neighbourhood=neighbourhood)
    rsvp_create(meeting=meeting, user=make_user("going@example.com"))
    rsvp_create(meeting=meeting, user=make_user("also.going@example.com"))

    response = desk_client.get(f"/admin/meetings/meeting/{meeting.pk}/attendance.csv")

    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="export")
    assert (entry.actor, entry.target_type, entry.target_id) == (officer, "meetings.meeting", str(meeting.pk))
    assert entry.detail["rows"] == 2
    assert entry.detail["filename"] == f"rsvps-{meeting.slug}.csv"


def test_an_entry_about_a_person_names_the_record_not_the_address(chief_client, resident):
    from accounts.models import Profile

    profile = Profile.objects.create(user=resident)
    assert str(profile) == "Alice <alice@example.com>"  # the desk's label carries the address

    edit_in_the_admin(chief_client, f"/admin/accounts/profile/{profile.pk}/change/", preferred_language="es")

    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.target_repr == f"resident profile #{profile.pk}"
    assert "alice@example.com" not in str(entry.detail) + entry.target_repr


def test_audit_entries_stay_read_only(chief_client, desk_client, officer):
    officer.groups.add(*Group.objects.all())
    entry = AuditEntry.objects.create(
        action="alerts.publish", target_type="alerts.alert", target_id="1", target_repr="x"
    )

    for client in (chief_client, desk_client):
        assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
        assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "forged"}).status_code == 403
        client.post(
            "/admin/audit/auditentry/", {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
        )
    assert AuditEntry.objects.filter(pk=entry.pk, action="alerts.publish").exists()
    entry.action = "forged"
    with pytest.raises(ValueError, match="never changed"):
        entry.save()
    with pytest.raises(ValueError, match="never deleted"):
        entry.delete()


def test_entries_written_by_services_name_a_person_by_record_not_address(officer):
    from audit.services import audit_record
    from newsletters.models import Suppression

    suppression = Suppression.objects.create(email="bounced@example.com", reason="manual")

    entry = audit_record(actor=officer, action="newsletters.suppression.add", target=suppression)

    assert entry.target_repr == f"suppressed address #{suppression.pk}"
