"""The acceptance test of the tip line: nothing that could identify the tipster is kept anywhere."""

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client

from tests.tips.conftest import TIPSTER_ADDRESS, TIPSTER_AGENT, jpeg_with_gps, named, pdf_with_author, submit_tip
from tips import privacy, services
from tips.models import Tip, TipAttachment

TIP_TEXT = "The blue van at 12 Orchard Lane unloads crates at 3am, tip-text-marker-5521."
REFERRER = "https://search.example/?q=tip-referrer-marker"


def every_table_row() -> list[tuple[str, bytes]]:
    """Each value of each row of each table, as bytes, found by introspection (not by our models)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from introspection)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        found.append((table, bytes(value)))
                    elif value is not None:
                        found.append((table, str(value).encode()))
    return found


def tables_containing(needle: str) -> set[str]:
    return {table for table, value in every_table_row() if needle.encode() in value}


def all_loggers_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def log_text(caplog) -> str:
    """Each captured record's message and every attribute (a request object would show up here)."""
    return "\n".join(f"{record.getMessage()} {vars(record)!r}" for record in caplog.records)


def submit_with_files(client) -> None:
    response = submit_tip(
        client,
        what=TIP_TEXT,
        files=[named(jpeg_with_gps(), "IMG_2041.jpg"), named(pdf_with_author(), "notes.pdf")],
        HTTP_REFERER=REFERRER,
    )
    assert response.status_code == 200, response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_submitted_tip_leaves_no_address_agent_or_referrer_anywhere(
    caplog, django_capture_on_commit_callbacks, tip_reviewer, time_machine
):
    time_machine.move_to("2026-05-04 14:37:12Z", tick=False)
    all_loggers_at_debug(caplog)
    client = Client(REMOTE_ADDR=TIPSTER_ADDRESS, HTTP_USER_AGENT=TIPSTER_AGENT)
    submit_with_files(client)
    # A refused one too: Django logs 400s with the request attached.
    bad = submit_tip(client, website="robot", HTTP_REFERER=REFERRER)
    assert bad.status_code == 400
    # The reviewers' e-mail goes out after the hour; it is part of "the outbox".
    time_machine.move_to("2026-05-04 15:02:00Z", tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        services.tips_settle()
        assert services.tips_notify_reviewers() == 1
    assert len(mail.outbox) == 1

    tip = Tip.objects.get()
    assert TipAttachment.objects.filter(tip=tip).count() == 2
    for secret in (TIPSTER_ADDRESS, TIPSTER_AGENT, "TipsterTestBrowser", REFERRER, "tip-referrer-marker"):
        assert not tables_containing(secret), f"{secret!r} found in the database"
        assert secret not in log_text(caplog), f"{secret!r} found in the logs"
        for message in mail.outbox:
            assert secret not in message.message().as_string()
    # The tip's text (and a distinctive part of it) is in no table in plain form.
    assert not tables_containing(TIP_TEXT)
    assert not tables_containing("tip-text-marker-5521")
    assert not tables_containing("Orchard Lane")
    # Nor the files' metadata, nor their names.
    for secret in ("SpyCam", "Jane Q. Tipster", "IMG_2041", "notes.pdf"):
        assert not tables_containing(secret)
    # The refused request (Django logs every 400 with a millisecond time) left no record at all.
    assert not [record for record in caplog.records if "/tips" in record.getMessage()]
    # The reviewers' e-mail says only that tips arrived, with a link.
    body = mail.outbox[0].body
    assert "/admin/tips/tip/" in body
    assert tip.reference not in body and "Orchard" not in body and "Theft" not in body
    # Times are the hour, not the minute of the request.
    assert tip.received_at.minute == 0 and tip.received_at.second == 0


@pytest.mark.django_db(transaction=True)
def test_stored_time_stamps_and_tokens_hold_only_the_hour(time_machine):
    from cryptography.fernet import Fernet

    time_machine.move_to("2026-05-04 14:37:12Z", tick=False)
    submit_with_files(Client())
    tip = Tip.objects.get()
    key = Fernet(settings.TIP_ENCRYPTION_KEYS[0])
    # Fernet tokens carry their creation time in clear: ours carry the hour.
    stamp = key.extract_timestamp(tip.content_encrypted.encode())
    assert stamp % 3600 == 0
    assert key.extract_timestamp(bytes(TipAttachment.objects.filter(tip=tip).first().data_encrypted)) % 3600 == 0
    datetimes = [value for _table, value in every_table_row() if b"14:37" in value or b"2026-05-04T14:37" in value]
    assert not datetimes


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_nothing_identifying_reaches_the_cache():
    import redis

    server = redis.Redis.from_url(settings.REDIS_URL)
    submit_with_files(Client(REMOTE_ADDR=TIPSTER_ADDRESS, HTTP_USER_AGENT=TIPSTER_AGENT))
    for key in server.scan_iter():
        kind = server.type(key).decode()
        values = {
            "string": lambda k: [server.get(k)],
            "hash": lambda k: [*server.hgetall(k).keys(), *server.hgetall(k).values()],
            "list": lambda k: server.lrange(k, 0, -1),
            "set": lambda k: list(server.smembers(k)),
            "zset": lambda k: server.zrange(k, 0, -1),
        }.get(kind, lambda k: [])(key)
        for blob in [key, *values]:
            for secret in (TIPSTER_ADDRESS, TIPSTER_AGENT, "tip-text-marker-5521"):
                assert secret.encode() not in (blob or b""), f"{secret!r} found in Redis under {key!r}"


def test_no_cache_on_disk_can_hold_anything():
    # Only in-memory or Redis caches are configured; a file cache would have to be scanned too.
    for cache in settings.CACHES.values():
        assert "FileBasedCache" not in cache["BACKEND"]

    # Nor are uploads spooled to temporary files: the tip pages keep them in memory.
    from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

    from tips.http import TipUploadHandler

    assert issubclass(TipUploadHandler, MemoryFileUploadHandler)
    assert not issubclass(TipUploadHandler, TemporaryFileUploadHandler)


@pytest.mark.django_db
def test_a_big_upload_is_not_written_to_a_temporary_file(client, settings, monkeypatch):
    from django.core.files.uploadedfile import TemporaryUploadedFile

    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django would spool anything bigger to disk
    monkeypatch.setattr(
        TemporaryUploadedFile, "__init__", lambda *args, **kwargs: pytest.fail("an upload went to a temporary file")
    )
    assert submit_tip(client, files=[named(jpeg_with_gps(), "a.jpg")]).status_code == 200
    assert TipAttachment.objects.count() == 1


@pytest.mark.django_db
def test_an_error_on_a_tip_page_reaches_admins_without_request_details(monkeypatch, settings, caplog):
    settings.ADMINS = [("Administrators", "admins@precinct.example")]

    def broken(**kwargs):
        raise RuntimeError("tip storage broke")

    monkeypatch.setattr(services, "tip_submit", broken)
    all_loggers_at_debug(caplog)
    client = Client(REMOTE_ADDR=TIPSTER_ADDRESS, HTTP_USER_AGENT=TIPSTER_AGENT, raise_request_exception=False)
    response = submit_tip(client, what=TIP_TEXT, HTTP_REFERER=REFERRER)
    assert response.status_code == 500
    assert not response.cookies
    # Not at once: a report written now would date the tipster's request to the second.
    assert not [message for message in mail.outbox if "admins@precinct.example" in message.to]
    assert "RuntimeError" not in "\n".join(record.getMessage() for record in caplog.records)
    assert privacy.release_held_errors() == 0  # the hour is not over yet
    # Once the hour is over, one report for the hour.
    assert privacy.release_held_errors(now=datetime.now() + timedelta(hours=1)) == 1
    reports = [message for message in mail.outbox if "admins@precinct.example" in message.to]
    assert reports, "the error was not reported to ADMINS"
    report = "\n".join(
        [reports[0].message().as_string()] + [str(part[0]) for part in getattr(reports[0], "alternatives", [])]
    )
    # Still useful: the error and where it happened.
    assert "RuntimeError" in report and "tip storage broke" in report
    for secret in (TIPSTER_ADDRESS, TIPSTER_AGENT, REFERRER, "tip-text-marker-5521"):
        assert secret not in report, f"{secret!r} in the ADMINS e-mail"
        assert secret not in log_text(caplog), f"{secret!r} in the logs"


@pytest.mark.django_db
def test_errors_elsewhere_still_carry_their_request_details(rf):
    """The scrubbing is for tip pages only; other pages keep Django's usual report."""
    from tips.privacy import ScrubTipRequests, TipExceptionReporterFilter

    request = rf.get("/meetings/", REMOTE_ADDR="198.51.100.9")
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Not Found", (), None)
    record.request = request
    assert ScrubTipRequests().filter(record) and record.request is request
    assert TipExceptionReporterFilter().get_safe_request_meta(request)["REMOTE_ADDR"] == "198.51.100.9"
    tip_request = rf.post("/tips/", {"what": "secret"}, REMOTE_ADDR="198.51.100.9")
    assert TipExceptionReporterFilter().get_safe_request_meta(tip_request) == {}
    assert TipExceptionReporterFilter().get_post_parameters(tip_request) == {}


def test_the_threat_model_is_documented():
    text = (Path(settings.BASE_DIR) / "docs" / "tips-threat-model.md").read_text()
    for heading in ("What is protected", "From whom", "What is not protected"):
        assert heading in text
