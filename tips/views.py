from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def submit(request: HttpRequest) -> HttpResponse:
    return render(request, "tips/submit.html")
