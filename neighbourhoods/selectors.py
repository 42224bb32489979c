from django.http import Http404

from neighbourhoods.models import Neighbourhood


def neighbourhood_filter(slug: str) -> tuple[list[Neighbourhood], Neighbourhood | None]:
    """A public list's neighbourhood filter: every neighbourhood in name order, for its options (one
    query), and the one ``slug`` names (None without a slug). Raises ``Http404`` for a slug that names
    none, so a mistyped address is not taken for the whole city."""
    neighbourhoods = list(Neighbourhood.objects.order_by("name"))
    if not slug:
        return neighbourhoods, None
    chosen = next((n for n in neighbourhoods if n.slug == slug), None)
    if chosen is None:
        raise Http404("No such neighbourhood.")
    return neighbourhoods, chosen
