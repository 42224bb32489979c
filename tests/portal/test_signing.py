"""portal.signing makes the same bytes as Django's signing and salted_hmac, which read them back."""

import random
import string

import pytest
from django.core import signing as django_signing
from django.utils import crypto

from portal import signing

ADDRESSES = [
    "reader@example.com",
    "  Reader.Name+news@Example.COM ",
    "a@b.c",
    "ñandú@correo.example",  # non-ASCII: JSON escapes it
    "x" * 40 + "@" + "y" * 40 + ".example",  # long and repetitive: compressed
    "",
    'quote"and\\backslash@example.com',
]


def _random_values(count: int) -> list[str]:
    generator = random.Random(19)
    alphabet = string.ascii_letters + string.digits + string.punctuation + " é€"
    return ["".join(generator.choice(alphabet) for _ in range(generator.randrange(0, 120))) for _ in range(count)] + [
        "ab" * generator.randrange(1, 200) for _ in range(count)
    ]


@pytest.fixture
def frozen_time(monkeypatch):
    # One second for both signers: the token carries the time it was made.
    now = 1_764_650_000.25
    monkeypatch.setattr(django_signing.time, "time", lambda: now)
    monkeypatch.setattr(signing.time, "time", lambda: now)


@pytest.mark.parametrize("compress", [True, False])
def test_dumps_makes_the_token_djangos_signing_makes(frozen_time, compress):
    for value in ADDRESSES + _random_values(200):
        for salt in ("newsletters.preferences", "newsletters.unsubscribe", "other"):
            ours = signing.dumps(value, salt=salt, compress=compress)
            assert ours == django_signing.dumps(value, salt=salt, compress=compress)


def test_compressed_tokens_are_among_those_compared(frozen_time):
    assert signing.dumps("ab" * 100, salt="s", compress=True).startswith(".")


def test_djangos_loads_reads_the_token_and_refuses_another_salt():
    for value in ADDRESSES + _random_values(20):
        token = signing.dumps(value, salt="newsletters.unsubscribe", compress=True)
        assert django_signing.loads(token, salt="newsletters.unsubscribe", max_age=60) == value
        with pytest.raises(django_signing.BadSignature):
            django_signing.loads(token, salt="newsletters.preferences")


def test_a_changed_secret_key_signs_with_the_new_key(settings, frozen_time):
    before = signing.dumps("reader@example.com", salt="s")
    settings.SECRET_KEY = "another-secret-" * 5
    after = signing.dumps("reader@example.com", salt="s")
    assert after != before
    assert after == django_signing.dumps("reader@example.com", salt="s")
    assert signing.salted_hmac("k", "v").digest() == crypto.salted_hmac("k", "v").digest()


@pytest.mark.parametrize("algorithm", ["sha1", "sha256"])
def test_salted_hmac_is_djangos(algorithm):
    for value in [*_random_values(50), b"\x00bytes\xff"]:
        for key_salt in ("outbox.message-id", "other"):
            ours = signing.salted_hmac(key_salt, value, algorithm=algorithm)
            assert ours.hexdigest() == crypto.salted_hmac(key_salt, value, algorithm=algorithm).hexdigest()
    # Each call starts from the salt's key, not from what an earlier call fed in.
    assert signing.salted_hmac("k", "v").digest() == signing.salted_hmac("k", "v").digest()


def test_dumps_each_signs_one_value_as_dumps_does_under_each_salt(frozen_time):
    salts = ["newsletters.preferences", "newsletters.unsubscribe"]
    for value in ADDRESSES + _random_values(50):
        for compress in (True, False):
            tokens = signing.dumps_each(value, salts=salts, compress=compress)
            assert tokens == [django_signing.dumps(value, salt=salt, compress=compress) for salt in salts]
