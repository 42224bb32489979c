"""The writes: creating from a source, changing status (timeline, audit, e-mails), following."""

import pytest
from django.db import IntegrityError, transaction

from actions import services, sources
from actions.models import ActionFollower, ActionItem, ActionUpdate
from actions.selectors import actions_for_source
from audit.models import AuditEntry
from outbox.models import Email
from tests.actions.conftest import add_voters
from watch.models import Concern, WatchGroup

pytestmark = pytest.mark.django_db


def test_an_action_made_from_a_question_links_it_and_starts_its_timeline(officer, question):
    action = services.create_action(by=officer, title="Lights", source=question)

    assert action.source == question
    assert action.source_kind == ActionItem.SourceKind.QUESTION
    assert list(actions_for_source(question)) == [action]
    assert list(action.updates.values_list("status", flat=True)) == [ActionItem.Status.PROPOSED]
    assert AuditEntry.objects.filter(action="actions.create", target_id=str(action.pk), actor=officer).exists()


def test_an_unregistered_object_cannot_become_an_action(officer, neighbourhood):
    with pytest.raises(services.ActionError):
        services.create_action(by=officer, title="Nope", source=neighbourhood)
    assert not ActionItem.objects.exists()


def test_not_possible_needs_a_public_reason(officer, action):
    with pytest.raises(services.ActionError):
        services.change_status(action, by=officer, status=ActionItem.Status.NOT_POSSIBLE)
    action.refresh_from_db()
    assert action.status == ActionItem.Status.PROPOSED

    services.change_status(action, by=officer, status=ActionItem.Status.NOT_POSSIBLE, reason="The council said no.")
    action.refresh_from_db()
    assert action.status_reason == "The council said no."


def test_the_database_refuses_not_possible_without_a_reason(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionItem.objects.filter(pk=action.pk).update(status=ActionItem.Status.NOT_POSSIBLE, status_reason="")


def test_done_records_the_day_and_leaving_done_clears_it(officer, action):
    services.change_status(action, by=officer, status=ActionItem.Status.DONE)
    assert action.done_on is not None
    services.change_status(action, by=officer, status=ActionItem.Status.IN_PROGRESS)
    action.refresh_from_db()
    assert action.done_on is None


def test_a_status_change_is_audited_and_timed(officer, action):
    update = services.change_status(action, by=officer, status=ActionItem.Status.PLANNED, note="Budget agreed.")

    assert update.body == "Budget agreed." and update.status == ActionItem.Status.PLANNED
    entry = AuditEntry.objects.get(action="actions.status")
    assert entry.detail == {"from": "proposed", "to": "planned"}


def test_the_same_change_twice_is_refused_and_sends_nothing_more(officer, question, django_capture_on_commit_callbacks):
    add_voters(question, 3)
    action = services.create_action(by=officer, title="Lights", source=question)
    services.change_status(action, by=officer, status=ActionItem.Status.PLANNED)
    with pytest.raises(services.ActionError):
        services.change_status(action, by=officer, status=ActionItem.Status.PLANNED)

    assert Email.objects.count() == 4  # the asker and three voters
    assert ActionUpdate.objects.filter(action=action, status_changed=True).count() == 2


def test_a_progress_note_joins_the_timeline_without_e_mail(officer, question):
    action = services.create_action(by=officer, title="Lights", source=question)
    services.add_update(action, by=officer, body="Surveyed the street.")
    assert action.updates.last().body == "Surveyed the street."
    assert not Email.objects.exists()
    with pytest.raises(services.ActionError):
        services.add_update(action, by=officer, body="  ")


def test_follow_and_unfollow_are_harmless_twice(action, resident):
    services.follow(action, resident)
    services.follow(action, resident)
    assert ActionFollower.objects.filter(action=action, user=resident).count() == 1
    services.unfollow(action, resident)
    services.unfollow(action, resident)
    assert list(ActionFollower.objects.values_list("muted", flat=True)) == [True]


def test_a_concern_prefills_its_area_only_and_reaches_its_reporter(officer, neighbourhood, resident, other_resident):
    group = WatchGroup.objects.create(name="Mill Lane watch", slug="mill-lane", neighbourhood=neighbourhood)
    concern = Concern.objects.create(group=group, reporter=resident, subject="Broken gate", body="The gate swings.")

    registration = sources.source_for(concern)
    assert registration.prefill(concern) == {"neighbourhood": neighbourhood}
    assert registration.private_text(concern) == ["Broken gate", "The gate swings."]
    action = services.create_action(by=officer, title="Mend the gate", source=concern)
    assert services.audience_ids(action) == {resident.pk}


def test_register_source_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        sources.register_source(WatchGroup, kind="gossip", label="x", prefill=dict, audience=set)


def test_someone_the_source_concerns_can_ask_for_no_more_e_mails(officer, question, resident):
    voter = add_voters(question, 1)[0]
    action = services.create_action(by=officer, title="Lights", source=question)
    services.unfollow(action, voter)

    services.change_status(action, by=officer, status=ActionItem.Status.PLANNED)

    assert list(Email.objects.values_list("to", flat=True)) == [resident.email]
    services.follow(action, voter)  # changed their mind
    assert services.audience_ids(action) == {resident.pk, voter.pk}
