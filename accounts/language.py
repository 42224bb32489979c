"""One language per resident: the profile's preferred language, remembered in a cookie, and followed
by whatever else speaks to the resident in a language (their newsletter subscription).

Visitors choose a language with the header's switcher (``portal.views.set_language``), which sets
Django's language cookie; a resident's choice is also saved to their profile, and every follower
registered with ``on_language_change`` (the newsletters app registers its subscription) is told.
Tip pages never set a cookie: their switcher links to ``?lang=<code>``, which
``QueryLanguageMiddleware`` honours for that one request.
"""

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import translation

LANGUAGE_QUERY_PARAMETER = "lang"

# Called as follower(user=..., language=...) inside the transaction that saves the profile.
_followers: list[Callable[..., None]] = []


def on_language_change(follower: Callable[..., None]) -> None:
    """Register ``follower(user=, language=)``, called whenever a resident's language is saved.

    Feature apps register in their ``AppConfig.ready()``, so accounts imports none of them.
    """
    if follower not in _followers:
        _followers.append(follower)


def is_supported_language(language: str | None) -> bool:
    return language in dict(settings.LANGUAGES)


def language_choices() -> list[tuple[str, str]]:
    """The site's languages, each named in itself ("English", "Español"), for every language picker:
    someone who cannot read the current language still finds their own."""
    choices = []
    for code, _name in settings.LANGUAGES:
        name = translation.get_language_info(code)["name_local"]
        choices.append((code, name[:1].upper() + name[1:]))
    return choices


def preferred_language_save(*, user, language: str) -> None:
    """Make ``language`` the resident's one language: their profile's, and every follower's.

    Raises ValueError for a language the site does not offer.
    """
    from accounts.selectors import profile_for

    if not is_supported_language(language):
        raise ValueError(f"Unsupported language {language!r}.")
    with transaction.atomic():
        profile = profile_for(user)
        if profile.preferred_language != language:
            profile.preferred_language = language
            profile.save(update_fields=["preferred_language"])
        for follower in _followers:
            follower(user=user, language=language)


def remember_language(response: HttpResponseBase, language: str) -> HttpResponseBase:
    """Make the site speak ``language`` on this browser from the next page on.

    LocaleMiddleware reads this cookie before Accept-Language, so a resident's chosen language
    follows them without a profile query on every request.
    """
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


class QueryLanguageMiddleware:
    """``?lang=es`` shows this one page in Spanish, remembering nothing (no cookie, no session).

    The tip pages' language switcher uses it, since they must set no cookie; any page accepts it,
    so a link can be shared in a given language. Comes right after LocaleMiddleware, before
    anything that keys a cached page by the active language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        language = request.GET.get(LANGUAGE_QUERY_PARAMETER)
        if is_supported_language(language):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
