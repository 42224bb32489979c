"""Signed tokens that replace cookies on the tip line: nothing is kept in the browser beyond the page.

- Form token: a random nonce, signed. Spent on submit (its hash goes in ``UsedFormToken``), so a form
  is accepted once; it replaces the CSRF cookie, and slows down scripted floods.
- Access token: proof that this visitor typed the receipt phrase of a tip a short while ago, carried
  in a hidden field of the follow-up form instead of a session.
"""

import hashlib
import secrets
import uuid

from django.core import signing

FORM_TOKEN_MAX_AGE = 3 * 60 * 60  # Long enough to write a tip slowly.
ACCESS_TOKEN_MAX_AGE = 30 * 60
_FORM_SALT = "tips.form-token"
_ACCESS_SALT = "tips.access-token"


class BadToken(Exception):
    pass


def form_token_issue() -> str:
    return signing.dumps(secrets.token_urlsafe(18), salt=_FORM_SALT, compress=False)


def form_token_hash(token: str) -> str:
    """The hash recorded once the token is spent. Raises ``BadToken`` if forged or expired."""
    try:
        nonce = signing.loads(token, salt=_FORM_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:
        raise BadToken from None
    return hashlib.sha256(nonce.encode()).hexdigest()


def access_token_issue(tip_id: uuid.UUID) -> str:
    return signing.dumps(str(tip_id), salt=_ACCESS_SALT)


def access_token_tip_id(token: str) -> uuid.UUID:
    """Raises ``BadToken`` if forged or expired."""
    try:
        return uuid.UUID(signing.loads(token, salt=_ACCESS_SALT, max_age=ACCESS_TOKEN_MAX_AGE))
    except (signing.BadSignature, ValueError, TypeError):
        raise BadToken from None
