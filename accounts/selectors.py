from django.utils.translation import gettext

from accounts.models import Profile


def profile_for(user) -> Profile:
    """The user's profile, created empty on first use (accounts made outside sign-up have none yet)."""
    profile, _created = Profile.objects.select_related("home_neighbourhood").get_or_create(user=user)
    return profile


def language_for(user) -> str:
    """The language e-mails to this user are written in."""
    return profile_for(user).preferred_language


def display_name_for(user) -> str:
    return profile_for(user).display_name or user.email


def public_name_for(user) -> str:
    """How other residents see ``user`` (watch coordinators, members): the display name, else the first
    name, else "A resident"; never the e-mail address, which ``display_name_for`` falls back to for officers."""
    try:
        profile = user.profile  # Lists load it with select_related("user__profile"): no query per row.
    except Profile.DoesNotExist:
        profile = None
    name = (profile.display_name.strip() if profile is not None else "") or user.first_name.strip()
    return name or gettext("A resident")
