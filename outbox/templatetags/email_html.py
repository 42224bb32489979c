"""The HTML part of an e-mail written only as plain text."""

import re

from django import template
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Punctuation that may follow a link at the end of a sentence, and is not part of it.
_TRAILING = ".,;:!?)»”’\"'"


def _portal_links(context) -> set[str]:
    """The links the sending code put in the message's context (``url`` and every ``*_url``).

    Only those become clickable: they come from the portal, never from what a resident typed.
    """
    links = set()
    for layer in context.dicts:
        for key, value in layer.items():
            if (key == "url" or key.endswith("_url")) and isinstance(value, str) and value.strip():
                links.add(value.strip())
    return links


@register.simple_tag(takes_context=True)
def text_as_html(context, text: str) -> SafeString:
    """``text`` escaped, in paragraphs, with only the portal's own links made clickable.

    Unlike ``urlize``, an address a resident typed (a display name, a concern, a post) stays
    plain text, so a message the police send cannot carry a clickable link someone else chose.
    """
    links = _portal_links(context)
    pieces = []
    for token in re.split(r"(\s+)", str(text)):
        stripped = token.rstrip(_TRAILING)
        if stripped and stripped in links:
            url = escape(stripped)
            pieces.append(f'<a href="{url}">{url}</a>{escape(token[len(stripped) :])}')
        else:
            pieces.append(escape(token))
    return mark_safe(linebreaks("".join(pieces), autoescape=False))  # noqa: S308  # nosec B308 B703: every piece escaped above
