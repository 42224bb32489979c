"""Demo Neighbourhood Watch group: approved, with the demo officer as liaison and a first announcement."""

from django.contrib.auth import get_user_model

from accounts.models import Profile
from watch.models import Post, WatchGroup
from watch.services import post_create, watch_group_approve, watch_group_propose

COORDINATOR_EMAIL = "coordinator@precinct.example"


def create_demo_data(*, officer, neighbourhoods) -> None:
    if WatchGroup.objects.filter(slug="riverside-river-road-watch").exists():
        return
    coordinator, _created = get_user_model().objects.get_or_create(
        username=COORDINATOR_EMAIL, defaults={"email": COORDINATOR_EMAIL, "first_name": "Rosa"}
    )
    Profile.objects.get_or_create(
        user=coordinator, defaults={"display_name": "Rosa M.", "home_neighbourhood": neighbourhoods[0]}
    )
    group = watch_group_propose(
        user=coordinator,
        neighbourhood=neighbourhoods[0],
        name="Riverside River Road Watch",
        description="River Road from the bridge to the rail yards. We meet monthly and walk the block on Fridays.",
    )
    group = watch_group_approve(officer=officer, group=group)
    if not Post.objects.filter(group=group).exists():
        post_create(
            author=officer,
            group=group,
            title="Welcome, and a note on porch thefts",
            body="Parcels have gone missing from porches on River Road. Ask for delivery to a neighbour or a locker.",
        )
