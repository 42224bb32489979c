"""The officers' desk: the admin index lists what needs doing now, from queues each app registers.

An app declares its queues in a ``desk.py`` module (found by ``autodiscover_modules("desk")`` when
the portal app is ready), for example::

    from portal.desk import register_queue

    register_queue(
        "programs.applications_pending",
        label=_("Applications waiting for a decision"),
        count=lambda user, now: Application.objects.filter(status="pending").count(),
        url=lambda: reverse("admin:programs_application_changelist") + "?status__exact=pending",
        visible=lambda user: user.has_perm("programs.change_application"),
        order=10,
    )

``count`` must run ONE query whatever the number of rows (the desk's query budget test counts
them); ``visible`` must not query (permissions are cached on the user) unless it says so with
``visible_queries``. ``register_agenda`` works the same way for "today and this week": its
``entries(user, start, end)`` returns ``DeskEntry`` rows in one query.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise, lazy


@dataclass(frozen=True)
class DeskQueue:
    key: str
    label: str | Promise
    count: Callable[[object, datetime], int]
    url: Callable[[], str]
    visible: Callable[[object], bool]
    order: int = 100
    help_text: str | Promise = ""


@dataclass(frozen=True)
class DeskEntry:
    """One thing on the desk's agenda: a meeting or a program session, with where to check people in."""

    starts_at: datetime
    title: str
    kind: str | Promise
    url: str
    link_label: str | Promise


@dataclass(frozen=True)
class DeskAgenda:
    key: str
    entries: Callable[[object, datetime, datetime], Iterable[DeskEntry]]
    visible: Callable[[object], bool]


_queues: dict[str, DeskQueue] = {}
_agendas: dict[str, DeskAgenda] = {}


def register_queue(
    key: str,
    *,
    label,
    count: Callable[[object, datetime], int],
    url: Callable[[], str],
    visible: Callable[[object], bool],
    order: int = 100,
    help_text="",
) -> DeskQueue:
    """Add (or replace, by ``key``) a queue on the desk. See the module docstring for the contract."""
    queue = DeskQueue(key=key, label=label, count=count, url=url, visible=visible, order=order, help_text=help_text)
    _queues[key] = queue
    return queue


def help_text_with_days(text: Promise, setting: str) -> Promise:
    """A queue's ``help_text`` that names a number of days: ``text`` is an ``ngettext_lazy`` keyed on
    "days", filled from ``settings.<setting>`` when the desk is shown, in the officer's language."""
    return lazy(lambda: text % {"days": getattr(settings, setting)}, str)()


def register_agenda(
    key: str,
    *,
    entries: Callable[[object, datetime, datetime], Iterable[DeskEntry]],
    visible: Callable[[object], bool],
) -> DeskAgenda:
    """Add (or replace) a source of the desk's "today and this week" list."""
    agenda = DeskAgenda(key=key, entries=entries, visible=visible)
    _agendas[key] = agenda
    return agenda


def registered_queues() -> list[DeskQueue]:
    return sorted(_queues.values(), key=lambda queue: (queue.order, queue.key))


def desk_for(user, *, now: datetime | None = None) -> dict:
    """What ``user`` has to do now: ``queues`` (each with ``label``, ``count``, ``url``; only those
    the user may see), ``today`` and ``this_week`` (DeskEntry lists, in time order)."""
    now = now or timezone.now()
    queues = [
        {
            "key": queue.key,
            "label": queue.label,
            "count": queue.count(user, now),
            "url": queue.url(),
            "help": queue.help_text,
        }
        for queue in registered_queues()
        if queue.visible(user)
    ]
    local = timezone.localtime(now)
    start_of_day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    end_of_day = start_of_day + timedelta(days=1)
    end_of_week = start_of_day + timedelta(days=7 - local.weekday())
    entries = sorted(
        (
            entry
            for agenda in sorted(_agendas.values(), key=lambda agenda: agenda.key)
            if agenda.visible(user)
            for entry in agenda.entries(user, start_of_day, end_of_week)
        ),
        key=lambda entry: (entry.starts_at, str(entry.title)),
    )
    return {
        "queues": queues,
        "waiting": sum(queue["count"] for queue in queues),
        "today": [entry for entry in entries if entry.starts_at < end_of_day],
        "this_week": [entry for entry in entries if entry.starts_at >= end_of_day],
    }


def queue_filter(*, title, parameter_name: str, label, selector: Callable[[], object]) -> type:
    """An admin list filter showing exactly a queue's rows, so the desk's count and the list its link
    opens come from the same selector (``selector()`` returns the queue's queryset)."""
    from django.contrib import admin

    class QueueFilter(admin.SimpleListFilter):
        def lookups(self, request, model_admin):
            return [("yes", label)]

        def queryset(self, request, queryset):
            if self.value() == "yes":
                return queryset.filter(pk__in=selector().values("pk"))
            return queryset

    QueueFilter.title = title
    QueueFilter.parameter_name = parameter_name
    QueueFilter.__name__ = f"{parameter_name.title().replace('_', '')}Filter"
    return QueueFilter
