from django.conf import settings


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "CITY_NAME": settings.CITY_NAME,
        "EMERGENCY_NUMBER": settings.EMERGENCY_NUMBER,
    }
