"""Demo data for a local run: neighbourhoods and an officer. Each app adds its own in <app>/demo.py."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.crypto import get_random_string

from accounts.models import Profile
from accounts.roles import OFFICERS, TIP_REVIEWERS
from neighbourhoods.models import Neighbourhood

NEIGHBOURHOODS = [
    ("Riverside", "riverside", "Between the river, Main Street and the rail yards."),
    ("Old Town", "old-town", "The historic centre around City Hall and Market Square."),
    ("Northgate", "northgate", "North of Highway 9, up to the city limit."),
    ("Eastwood", "eastwood", "East of Park Avenue, including Eastwood Park."),
]
OFFICER_EMAIL = "officer@precinct.example"


def create_neighbourhoods() -> list[Neighbourhood]:
    return [
        Neighbourhood.objects.update_or_create(slug=slug, defaults={"name": name, "boundary_description": boundary})[0]
        for name, slug, boundary in NEIGHBOURHOODS
    ]


def create_officer() -> tuple[object, str]:
    """The demo officer, with a fresh password each run (returned so the caller can print it)."""
    from allauth.account.models import EmailAddress

    user, _created = get_user_model().objects.get_or_create(
        username=OFFICER_EMAIL, defaults={"email": OFFICER_EMAIL, "first_name": "Sam", "last_name": "Rivera"}
    )
    password = get_random_string(16)
    user.set_password(password)
    user.is_staff = True
    user.save()
    user.groups.add(Group.objects.get(name=OFFICERS), Group.objects.get(name=TIP_REVIEWERS))
    EmailAddress.objects.update_or_create(user=user, email=OFFICER_EMAIL, defaults={"verified": True, "primary": True})
    Profile.objects.get_or_create(user=user, defaults={"display_name": "Officer Sam Rivera"})
    return user, password


def create_officer_authenticator(user) -> str:
    """A fresh authenticator-app (TOTP) secret for the demo officer: staff need one for the admin.

    Returns the base32 secret to type into an authenticator app."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret
