"""Tip content is encrypted at rest with keys from the environment, and keys can be rotated."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command

from tests.portal.test_settings import start_up
from tests.tips.conftest import jpeg_with_gps, named, submit_tip
from tips import crypto, selectors, services
from tips.models import Tip, TipAttachment, TipCategory, TipMessage, TipNote

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def test_production_will_not_start_without_a_tip_key():
    result = start_up(TIP_ENCRYPTION_KEYS=None)
    assert result.returncode != 0
    assert "TIP_ENCRYPTION_KEYS must be set" in result.stderr.strip().splitlines()[-1]


def test_production_will_not_start_with_a_bad_tip_key():
    result = start_up(TIP_ENCRYPTION_KEYS=f"{NEW_KEY},not-a-key")
    assert result.returncode != 0
    assert "TIP_ENCRYPTION_KEYS: key 2 is not a Fernet key" in result.stderr.strip().splitlines()[-1]


def test_production_starts_with_several_keys():
    assert start_up(TIP_ENCRYPTION_KEYS=f"{NEW_KEY},{OLD_KEY}").returncode == 0


def _write_everything(tip_reviewer) -> Tip:
    tip = services.tip_create(
        category=TipCategory.objects.first(),
        what="Old-key secret",
        where="Somewhere",
        when="Yesterday",
        neighbourhood=None,
        files=[],
        receipt_phrase="some phrase",
    )
    services.tip_reply(tip=tip, actor=tip_reviewer, text="Old-key question")
    services.tip_note_add(tip=tip, actor=tip_reviewer, text="Old-key note")
    return tip


@pytest.mark.django_db
def test_tips_written_under_the_old_key_read_back_after_rotation(settings, tip_reviewer, client):
    settings.TIP_ENCRYPTION_KEYS = [OLD_KEY]
    tip = _write_everything(tip_reviewer)
    assert submit_tip(client, files=[named(jpeg_with_gps(), "a.jpg")]).status_code == 200
    image_before = crypto.decrypt_bytes(TipAttachment.objects.get().data_encrypted)

    # A new key goes first; the old one stays to read what is there.
    settings.TIP_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY]
    assert selectors.tip_content(tip)["what"] == "Old-key secret"
    call_command("rotate_tip_keys", stdout=__import__("io").StringIO())

    # The old key is dropped: everything still reads back.
    settings.TIP_ENCRYPTION_KEYS = [NEW_KEY]
    tip = Tip.objects.get(pk=tip.pk)
    assert selectors.tip_content(tip) == {"what": "Old-key secret", "where": "Somewhere", "when": "Yesterday"}
    assert [m.text for m in selectors.tip_messages(tip)] == ["Old-key question"]
    assert selectors.tip_notes(tip)[0][1] == "Old-key note"
    assert crypto.decrypt_bytes(TipAttachment.objects.get().data_encrypted) == image_before
    # And the old key alone opens nothing any more.
    with pytest.raises(InvalidToken):
        Fernet(OLD_KEY).decrypt(Tip.objects.get(pk=tip.pk).content_encrypted.encode())


@pytest.mark.django_db
def test_without_the_old_key_rotation_stops_with_a_clear_message(settings, tip_reviewer):
    settings.TIP_ENCRYPTION_KEYS = [OLD_KEY]
    _write_everything(tip_reviewer)
    settings.TIP_ENCRYPTION_KEYS = [NEW_KEY]
    with pytest.raises(CommandError, match="keep the old keys listed"):
        call_command("rotate_tip_keys")


@pytest.mark.django_db
def test_the_database_holds_only_ciphertext(tip_reviewer):
    tip = _write_everything(tip_reviewer)
    assert "Old-key" not in Tip.objects.get(pk=tip.pk).content_encrypted
    assert "Old-key" not in TipMessage.objects.get().body_encrypted
    assert "Old-key" not in TipNote.objects.get().body_encrypted
