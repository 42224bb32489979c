from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def list(request: HttpRequest) -> HttpResponse:
    return render(request, "meetings/list.html")
