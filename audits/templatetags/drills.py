from django import template

from audits import selectors

register = template.Library()


@register.simple_tag
def debrief_results(plan) -> dict:
    """``{% debrief_results plan as results %}``: how many knew what to do (withheld under the threshold)."""
    return selectors.debrief_results(plan)
