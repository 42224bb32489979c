"""The guide for officers (docs/officers.md and the guides it links), shown inside the admin.

The Markdown files in docs/ are the one copy: read on GitHub or here, with their screenshots.
Only the pages and pictures named below are served, to signed-in staff (admin_view).
"""

from pathlib import Path

import markdown
import nh3
from django.conf import settings
from django.http import FileResponse, Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

DOCS = Path(settings.BASE_DIR) / "docs"
PAGES = {"officers": "officers.md", "check-in": "check-in.md"}
SCREENSHOTS = DOCS / "screenshots" / "officers"
TAGS = {
    "a", "p", "br", "strong", "em", "ul", "ol", "li", "h1", "h2", "h3", "h4", "code", "pre", "img", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}}


def guide_view(request, page: str = "officers"):
    if page not in PAGES or not (DOCS / PAGES[page]).is_file():
        raise Http404("No such guide.")
    source = (DOCS / PAGES[page]).read_text(encoding="utf-8")
    title, _newline, body = source.partition("\n")
    html = nh3.clean(
        markdown.markdown(body, extensions=["sane_lists", "tables"], output_format="html"),
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
    )
    from django.contrib import admin

    context = {
        **admin.site.each_context(request),
        "title": title.lstrip("# ").strip() or _("Guide for officers"),
        "guide_html": html,
    }
    return TemplateResponse(request, "admin/desk/guide.html", context)


def guide_screenshot_view(request, name: str):
    path = SCREENSHOTS / f"{name}.png"
    if path.parent != SCREENSHOTS or not path.is_file():
        raise Http404("No such picture.")
    return FileResponse(path.open("rb"), content_type="image/png")
