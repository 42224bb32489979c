from django.utils.functional import SimpleLazyObject

from alerts.selectors import banner_alerts_for


def safety_alerts(request):
    """``safety_alerts``: the active alerts for this visitor, worked out only if a template shows them."""
    user = getattr(request, "user", None)
    if user is None:
        return {"safety_alerts": []}
    return {"safety_alerts": SimpleLazyObject(lambda: banner_alerts_for(user))}
