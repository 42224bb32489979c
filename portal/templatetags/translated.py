"""Officer-written text in the reader's language (see ``portal.translated``).

``{{ program|translated:"title"|marked }}`` prints the title in the active language; an English
fallback on a Spanish page comes wrapped in ``<span lang="en">`` (WCAG 3.1.2). For block text, put
the attribute on the element that holds it::

    {% with description=program|translated:"description" %}
      <div{{ description.lang_attr }}>{{ description|linebreaks }}</div>
    {% endwith %}
"""

from django import template
from django.utils.html import conditional_escape

from portal.translated import TranslatedText
from portal.translated import translated as translated_text

register = template.Library()


@register.filter
def translated(obj, field: str) -> TranslatedText | str:
    """``obj``'s ``field`` in the active language, or its fallback (a ``TranslatedText``)."""
    if obj is None or obj == "":
        return ""
    return translated_text(obj, field)


@register.filter(is_safe=True)
def marked(value):
    """The text escaped, wrapped in ``<span lang="..">`` if it is a fallback translation."""
    if isinstance(value, TranslatedText):
        return value.marked()
    return conditional_escape(value)
