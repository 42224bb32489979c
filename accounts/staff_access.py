"""What happens when a staff member's access may have shrunk (staff status, the account, a role or a
permission taken away).

Feature apps that hand officers a standing role, such as a watch group's liaison, register a handler
in their ``AppConfig.ready()``; the user and group admins and ``sync_roles`` call
``staff_access_changed`` after saving. So the role ends with the access, explicitly and where the
demotion happens (no ``post_save`` signal), and accounts imports no feature app.
"""

from collections.abc import Callable, Iterable

_handlers: list[Callable[..., object]] = []


def staff_access_handler_register(handler: Callable[..., object]) -> None:
    """``handler(user_ids=[...], actor=user_or_None)`` runs after each change; it must check access itself."""
    if handler not in _handlers:
        _handlers.append(handler)


def staff_access_changed(*, user_ids: Iterable[int], actor=None) -> None:
    """Tell every registered feature that these accounts' access may have changed."""
    user_ids = list(user_ids)
    if not user_ids:
        return
    for handler in _handlers:
        handler(user_ids=user_ids, actor=actor)
