"""The newsletter archive as an Atom feed, all topics or one."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from newsletters import rendering, selectors
from newsletters.models import Newsletter, Topic
from portal.text import xml_safe_text
from portal.translated import translated

FEED_SIZE = 30


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


class NewsletterFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, topic=None):
        if topic is None:
            return None
        if topic not in Topic.values:
            raise Http404("No such topic.")
        return Topic(topic)

    def title(self, obj):
        if obj is None:
            return _("%(site)s newsletters") % {"site": settings.SITE_NAME}
        return _("%(site)s newsletters: %(topic)s") % {"site": settings.SITE_NAME, "topic": obj.label}

    def subtitle(self, obj):
        return _("Every newsletter the %(city)s police department has sent, newest first.") % {
            "city": settings.CITY_NAME
        }

    def link(self, obj):
        url = reverse("newsletters:archive")
        return _absolute(f"{url}?topic={obj.value}" if obj else url)

    def feed_url(self, obj):
        if obj is None:
            return _absolute(reverse("newsletters:archive-feed"))
        return _absolute(reverse("newsletters:archive-topic-feed", kwargs={"topic": obj.value}))

    def items(self, obj):
        return selectors.archived_newsletters(topic=obj.value if obj else None)[:FEED_SIZE]

    def item_title(self, item: Newsletter):
        return xml_safe_text(translated(item, "subject"))

    def item_description(self, item: Newsletter):
        return xml_safe_text(rendering.web_copy(item)["body_html"])

    def item_link(self, item: Newsletter):
        return _absolute(item.get_absolute_url())

    def item_guid(self, item: Newsletter):
        return f"urn:uuid:{item.code}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Newsletter):
        return item.started_at

    def item_updateddate(self, item: Newsletter):
        return item.sent_at or item.started_at

    def item_categories(self, item: Newsletter):
        return [Topic(item.archive_topic).label]
