"""Sealed sessions in the database only (portal/sessions.py), for runs without Redis."""

from portal.sessions import DatabaseSessionStore as SessionStore

__all__ = ["SessionStore"]
