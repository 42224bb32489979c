"""Second-factor secrets sealed at rest.

allauth keeps each authenticator app's TOTP key and the seed of the recovery codes in
``mfa_authenticator.data``, in the clear unless its adapter encrypts them. In the clear, whoever
reads the table, a dump or a backup can make every officer's codes: the second factor is gone, and
with a password (phished, reused) the desk is theirs. So they are sealed (Fernet: AES-128-CBC with
an HMAC) under a key derived with HKDF from MFA_KEYS, or from SECRET_KEY and SECRET_KEY_FALLBACKS
when that is not set; the rest of the keys still open values sealed before a rotation.
"""

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import InvalidToken, MultiFernet
from django.conf import settings

from portal.sealing_keys import derived_fernet

# Fernet tokens start with their version byte, 0x80, in URL-safe base64. The values allauth stores
# in the clear are base32 (TOTP keys) or hex (recovery seeds): they never start like this.
_SEALED_PREFIX = "gAAAAA"


def _keys() -> tuple[str, ...]:
    if settings.MFA_KEYS:
        return tuple(settings.MFA_KEYS)
    return (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)


def _fernet() -> MultiFernet:
    return derived_fernet(_keys(), b"precinct.mfa.secrets")


def mfa_secret_seal(text: str) -> str:
    """``text`` (a TOTP key, a recovery seed) as a token only the portal's keys open."""
    return _fernet().encrypt(text.encode()).decode()


def mfa_secret_is_sealed(value: str) -> bool:
    return value.startswith(_SEALED_PREFIX)


def mfa_secret_open(value: str) -> str:
    """The secret ``mfa_secret_seal`` made ``value`` of; a value stored before sealing began is
    returned as it is (migration accounts/0003 seals those). Raises ValueError when no key opens it."""
    if not mfa_secret_is_sealed(value):
        return value
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        raise ValueError("A second-factor secret opens with none of the MFA keys.") from None


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return mfa_secret_seal(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_secret_open(encrypted_text)


def mfa_secrets_reseal(authenticators) -> int:
    """Seal every TOTP key and recovery seed of ``authenticators`` (rows or historical rows) under the
    newest key: values in the clear (stored before sealing began) and values sealed under an older
    key alike. Returns how many rows changed. Raises ValueError when a value opens with no key."""
    changed = 0
    for authenticator in authenticators:
        data = dict(authenticator.data)
        for field in ("secret", "seed"):
            if isinstance(data.get(field), str):
                data[field] = mfa_secret_seal(mfa_secret_open(data[field]))
        if isinstance(data.get("migrated_codes"), list):
            data["migrated_codes"] = [mfa_secret_seal(mfa_secret_open(code)) for code in data["migrated_codes"]]
        if data != authenticator.data:
            authenticator.data = data
            authenticator.save(update_fields=["data"])
            changed += 1
    return changed
