from django.shortcuts import render
from django.urls import path


def page(request):
    return render(request, "page.html", {"title": "Minimal", "items": range(5)})


urlpatterns = [path("", page, name="page")]
