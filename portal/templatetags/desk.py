from django import template

from portal.desk import desk_for

register = template.Library()


@register.simple_tag(takes_context=True)
def officer_desk(context) -> dict:
    """The desk of the signed-in officer (portal.desk.desk_for)."""
    return desk_for(context["request"].user)
