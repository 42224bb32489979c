"""Receipt phrases: how a tipster comes back to their tip without an account.

A phrase is RECEIPT_WORDS words drawn with ``secrets`` from a shipped list of 2,113 common English
words (data/receipt-words.txt): 7 words give 77 bits, beyond guessing even without the throttle.
It is stored twice, never in clear:

- ``receipt_index``: HMAC-SHA256 of the phrase keyed with SECRET_KEY, to find the tip with one
  indexed query. Keyed, so a database dump alone does not allow trying phrases offline.
- ``receipt_hash``: an Argon2id hash, to confirm the phrase; slow, in case the key leaks too.
"""

import functools
import hmac
import re
import secrets
import unicodedata
from hashlib import sha256
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings
from django.utils.encoding import force_bytes

RECEIPT_WORDS = 7
WORDLIST_PATH = Path(__file__).parent / "data" / "receipt-words.txt"
_hasher = PasswordHasher()


@functools.cache
def wordlist() -> tuple[str, ...]:
    words = tuple(line.strip() for line in WORDLIST_PATH.read_text().splitlines() if line.strip())
    assert len(set(words)) == len(words) >= 2048, "the receipt wordlist must hold at least 2048 distinct words"
    return words


def receipt_generate() -> str:
    words = wordlist()
    return " ".join(secrets.choice(words) for _ in range(RECEIPT_WORDS))


def receipt_normalise(phrase: str) -> str:
    """What the tipster typed, as stored: the words (letters and digits) in lower case, one space apart.

    The words are plain a-z, so anything else a phone, a keyboard or a copy and paste puts in is
    let go: case (a Turkish "İ" too), accents, full-width letters, invisible characters (zero-width
    spaces, soft hyphens), and any run of spaces, dashes (a phone's "—") or punctuation between words.
    """
    decomposed = unicodedata.normalize("NFKD", phrase)
    letters = "".join(char for char in decomposed if unicodedata.category(char) not in ("Mn", "Cf"))
    return " ".join(re.findall(r"[^\W_]+", letters.casefold()))


def _index_with(secret: str, phrase: str) -> str:
    return hmac.new(force_bytes(secret), force_bytes("tips.receipt:" + phrase), sha256).hexdigest()


def receipt_index(phrase: str) -> str:
    return _index_with(settings.SECRET_KEY, receipt_normalise(phrase))


def receipt_index_candidates(phrase: str) -> list[str]:
    """The index under SECRET_KEY and each of SECRET_KEY_FALLBACKS, so rotating SECRET_KEY loses no tip."""
    normalised = receipt_normalise(phrase)
    return [_index_with(secret, normalised) for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]]


def receipt_hash(phrase: str) -> str:
    return _hasher.hash(receipt_normalise(phrase))


def receipt_verify(stored_hash: str, phrase: str) -> bool:
    try:
        return _hasher.verify(stored_hash, receipt_normalise(phrase))
    except (VerificationError, InvalidHashError):
        return False
