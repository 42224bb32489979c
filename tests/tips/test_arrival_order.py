"""Neither the admin, the audit log, nor a dump's ids, order or times place a tip within its hour."""

import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from tests.tips.conftest import settle_tips
from tips import services, tasks
from tips.models import Tip, TipAuditEntry, TipCategory, TipMessage


def new_tip(what: str) -> Tip:
    return services.tip_create(
        category=TipCategory.objects.get_or_create(slug="theft", defaults={"name": "Theft"})[0],
        what=what,
        where="",
        when="",
        neighbourhood=None,
        files=[],
        receipt_phrase=what,
    )


def audit_log_as_reviewers_see_it() -> list[tuple[str, str]]:
    # The admin's order (TipAuditEntry.Meta.ordering), which is also the ids' order within a time.
    return list(TipAuditEntry.objects.values_list("action", "tip_reference"))


@pytest.mark.django_db
def test_a_tip_is_hidden_from_reviewers_until_its_hour_is_over(client, reviewer_client, time_machine):
    time_machine.move_to("2026-03-02 14:37:12Z", tick=False)
    tip = new_tip("arrived at 14:37")
    assert reviewer_client.get(f"/admin/tips/tip/{tip.pk}/change/").status_code == 302  # "no such tip"
    assert tip.reference not in reviewer_client.get("/admin/tips/tip/").content.decode()
    assert not TipAuditEntry.objects.exists()  # not even "received", whose place would tell the minute

    time_machine.move_to("2026-03-02 15:03Z", tick=False)
    tasks.notify_reviewers_of_new_tips()  # beat, a few minutes after the hour
    assert reviewer_client.get(f"/admin/tips/tip/{tip.pk}/change/").status_code == 200
    received = TipAuditEntry.objects.get(action="received")
    assert received.at.isoformat() == "2026-03-02T14:00:00+00:00"


@pytest.mark.django_db
@pytest.mark.parametrize("arrival", ["14:05", "14:55"])
def test_the_audit_log_reads_the_same_whenever_in_the_hour_the_tip_came(arrival, tip_reviewer, time_machine):
    """Reviewer entries at 14:10 and 14:50 about another tip: the new tip's entry lands in one place."""
    time_machine.move_to("2026-03-02 13:20Z", tick=False)
    other = new_tip("other")
    settle_tips()
    entries = {"14:10": lambda: services.tip_record_view(tip=other, actor=tip_reviewer)}
    entries["14:50"] = lambda: services.tip_record_view(tip=other, actor=tip_reviewer)
    entries[arrival] = lambda: new_tip("the tip")
    for moment in sorted(entries):
        time_machine.move_to(f"2026-03-02 {moment}:00Z", tick=False)
        entries[moment]()
    time_machine.move_to("2026-03-02 15:02Z", tick=False)
    tasks.notify_reviewers_of_new_tips()

    tip = Tip.objects.exclude(pk=other.pk).get()
    log = audit_log_as_reviewers_see_it()
    assert log == [
        ("viewed", other.reference),
        ("viewed", other.reference),
        ("received", tip.reference),
        ("received", other.reference),
    ]
    received = TipAuditEntry.objects.get(tip_reference=tip.reference)
    # Its id too comes after every entry of its hour: written once the hour was over.
    assert received.pk > max(TipAuditEntry.objects.filter(action="viewed").values_list("pk", flat=True))
    assert received.at == tip.received_at and received.at.minute == 0


@pytest.mark.django_db
@pytest.mark.parametrize("tipster_first", [True, False])
def test_the_conversation_does_not_say_who_wrote_first_within_an_hour(tipster_first, tip_reviewer, time_machine):
    time_machine.move_to("2026-03-02 09:30Z", tick=False)
    tip = new_tip("tip")
    settle_tips()
    writes = [
        lambda: services.tip_reply(tip=tip, actor=tip_reviewer, text="Which night?"),
        lambda: TipMessage.objects.create(
            tip=tip, author=TipMessage.Author.TIPSTER, body_encrypted="x", created_at=timezone.now().replace(minute=0)
        ),
    ]
    for minute, write in zip((14, 41), writes[::-1] if tipster_first else writes, strict=True):
        time_machine.move_to(f"2026-03-02 11:{minute}Z", tick=False)
        write()
    rows = list(TipMessage.objects.values_list("author", "created_at"))
    assert [author for author, _at in rows] == ["reviewer", "tipster"]  # the same either way
    assert {at.minute for _author, at in rows} == {0}
    assert not hasattr(TipMessage, "sequence")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_dump_lists_an_hours_tips_in_no_telling_order_all_written_by_one_transaction(time_machine):
    time_machine.move_to("2026-03-02 14:00Z", tick=False)
    arrivals = []
    for minute in range(0, 60, 4):
        time_machine.move_to(f"2026-03-02 14:{minute:02d}:30Z", tick=False)
        arrivals.append(str(new_tip(f"tip at minute {minute}").pk))

    def table_order() -> list[str]:
        # What pg_dump's COPY of the table writes: the rows as they lie in it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT id::text FROM tips_tip ORDER BY ctid")
            return [row[0] for row in cursor.fetchall()]

    def transaction_ids() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT xmin::text FROM tips_tip")
            return {row[0] for row in cursor.fetchall()}

    assert table_order() == arrivals  # what the settling has to undo
    assert len(transaction_ids()) == len(arrivals)

    time_machine.move_to("2026-03-02 15:01Z", tick=False)
    assert services.tips_settle() == len(arrivals)
    assert sorted(table_order()) == sorted(arrivals)
    assert table_order() != arrivals
    assert len(transaction_ids()) == 1

    # And pg_dump itself, as a backup is made.
    db = connection.settings_dict
    dump = subprocess.run(
        ["pg_dump", "--data-only", "--table=tips_tip", "-h", db["HOST"] or "127.0.0.1", "-U", db["USER"], db["NAME"]],
        capture_output=True,
        text=True,
        check=True,
        env={"PGPASSWORD": db["PASSWORD"] or "", "PATH": "/usr/bin:/bin"},
        timeout=60,
    ).stdout
    dumped = [pk for pk in (line.split("\t", 1)[0] for line in dump.splitlines()) if pk in arrivals]
    assert dumped == table_order() != arrivals
    assert "14:04" not in dump and "14:56" not in dump
    assert timedelta(0) == Tip.objects.get(pk=arrivals[3]).received_at - Tip.objects.get(pk=arrivals[-1]).received_at


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_follow_up_sent_while_its_tip_is_being_settled_is_kept(monkeypatch):
    import threading

    from django.db import close_old_connections

    from tips.tokens import form_token_issue

    tip = new_tip("tip")
    rewritten, release = threading.Event(), threading.Event()
    original = services._rewrite_in_random_order

    def rewrite_then_wait(model, pks):
        original(model, pks)
        if model is Tip:
            rewritten.set()
            release.wait(10)  # the settling transaction holds the rewritten row, not yet committed

    monkeypatch.setattr(services, "_rewrite_in_random_order", rewrite_then_wait)
    monkeypatch.setattr(services, "coarse_now", lambda: tip.received_at + timedelta(hours=1))

    def settle():
        try:
            services.tips_settle()
        finally:
            close_old_connections()

    settling = threading.Thread(target=settle)
    settling.start()
    assert rewritten.wait(10)
    threading.Timer(0.5, release.set).start()  # the follow-up below waits for the lock meanwhile
    services.tip_follow_up(tip_id=tip.pk, form_token=form_token_issue(), text="More")
    settling.join(10)
    assert TipMessage.objects.filter(tip_id=tip.pk).count() == 1
    assert Tip.objects.get(pk=tip.pk).settled


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_spent_form_tokens_neither_count_nor_order_an_hours_tips(time_machine):
    """Each tip spends a form token in its own transaction: an id sequence or the table's order would
    list them as they arrived, and a sequential id, polled, would time each one."""
    from tips.models import UsedFormToken
    from tips.tokens import form_token_hash, form_token_issue

    assert not any(field.name == "id" for field in UsedFormToken._meta.fields)
    spent = []
    for minute in range(0, 60, 5):
        time_machine.move_to(f"2026-03-02 14:{minute:02d}:30Z", tick=False)
        token = form_token_issue()
        services.tip_submit(
            form_token=token,
            category=TipCategory.objects.get_or_create(slug="theft", defaults={"name": "Theft"})[0],
            what=f"tip at minute {minute}",
        )
        spent.append(form_token_hash(token))

    def table_order() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT token_hash FROM tips_usedformtoken ORDER BY ctid")
            return [row[0] for row in cursor.fetchall()]

    def transaction_ids() -> set[str]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT xmin::text FROM tips_usedformtoken")
            return {row[0] for row in cursor.fetchall()}

    assert table_order() == spent
    time_machine.move_to("2026-03-02 15:01Z", tick=False)
    services.tips_settle()
    assert sorted(table_order()) == sorted(spent) and table_order() != spent
    assert len(transaction_ids()) == 1
    assert {at.minute for at in UsedFormToken.objects.values_list("used_at", flat=True)} == {0}
