"""Django's ``i18n`` template library, with ``{% translate "literal" %}`` rendered in one gettext call.

Loaded under the name ``i18n`` (settings.TEMPLATES' "libraries"), so every ``{% load i18n %}`` gets
it. Django's tag makes a lazy string for each literal at each render, then localizes, escapes and
un-escapes it: a page's forty or so translated literals were a tenth of its template's work. A
plain literal (no filter, context or ``noop``) now gives Django's output from one ``gettext``
(tests/portal/test_i18n_literals.py compares them); anything else is Django's own node.
"""

from django import template
from django.templatetags import i18n
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


class LiteralTranslateNode(i18n.TranslateNode):
    def __init__(self, node: i18n.TranslateNode):
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        # As Django's Variable(translate=True) asks for it: a template literal is safe, its
        # percent signs doubled (not format flags); gettext keeps the message's safety.
        self.msgid = mark_safe(node.filter_expression.var.literal.replace("%", "%%"))  # noqa: S308  # nosec B308 B703: a template's own literal

    def render(self, context):
        value = mark_safe(gettext(self.msgid).replace("%%", "%"))  # noqa: S308  # nosec B308 B703: as Django's node: a translated literal is safe
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def _plain_literal(node) -> bool:
    expression = node.filter_expression
    return (
        isinstance(node, i18n.TranslateNode)
        and not node.noop
        and node.message_context is None
        and not expression.filters
        and isinstance(expression.var, template.Variable)
        and expression.var.lookups is None
        and isinstance(expression.var.literal, str)
    )


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    return LiteralTranslateNode(node) if _plain_literal(node) else node
