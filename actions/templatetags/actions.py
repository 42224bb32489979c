"""``{% you_said_we_did meeting %}``: the actions that came out of a meeting, for its page."""

from django import template

from actions.selectors import actions_for_meeting

register = template.Library()


@register.inclusion_tag("actions/_you_said_we_did.html")
def you_said_we_did(meeting) -> dict:
    return {"meeting_actions": list(actions_for_meeting(meeting))}
