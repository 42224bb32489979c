"""An Atom feed of each neighbourhood's action items, newest change first."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from actions import selectors
from actions.models import ActionItem
from alerts.feeds import XmlSafeAtom1Feed
from neighbourhoods.models import Neighbourhood
from portal.dates import format_moment
from portal.translated import translated

FEED_SIZE = 50


class NeighbourhoodActionFeed(Feed):
    feed_type = XmlSafeAtom1Feed

    def get_object(self, request, slug):
        return get_object_or_404(Neighbourhood, slug=slug)

    def title(self, obj):
        return _("%(site)s action plans for %(area)s") % {"site": settings.SITE_NAME, "area": obj.name}

    def subtitle(self, obj):
        return _("What the police department committed to, and how far each action has got.")

    def link(self, obj):
        return reverse("actions:neighbourhood", args=[obj.slug])

    def items(self, obj):
        return selectors.public_actions(neighbourhood=obj)[:FEED_SIZE]

    def item_title(self, item: ActionItem):
        title = translated(item, "title")
        if item.is_overdue:
            return _("%(title)s (%(status)s, overdue)") % {"title": title, "status": item.get_status_display()}
        return _("%(title)s (%(status)s)") % {"title": title, "status": item.get_status_display()}

    def item_description(self, item: ActionItem):
        # Plain officer text, escaped: a "<" in it must not become markup in every reader.
        lines = [str(translated(item, "description"))]
        for update in item.updates.all():
            lines.append(
                " · ".join(
                    filter(
                        None,
                        [
                            format_moment(update.created_at, "SHORT_DATE_FORMAT"),
                            str(update.get_status_display()),
                            str(translated(update, "body")),
                        ],
                    )
                )
            )
        return linebreaks("\n\n".join(line for line in lines if line), autoescape=True)

    def item_link(self, item: ActionItem):
        return item.get_absolute_url()

    def item_guid(self, item: ActionItem):
        return f"urn:uuid:{item.code}"

    def item_pubdate(self, item: ActionItem):
        return item.created_at

    def item_updateddate(self, item: ActionItem):
        return item.updated_at
