from django.conf import settings
from django.http import HttpResponseBase


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
