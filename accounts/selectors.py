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
