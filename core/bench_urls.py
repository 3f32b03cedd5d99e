"""The site's URLs plus the bench's ceiling view (settings.BENCH_CEILING_VIEW only)."""

from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

CEILING_PATH = "bench/ceiling/"


def ceiling(request):
    """The least a Django page can cost here: a small template, no database, no cache."""
    return render(request, "core/bench_ceiling.html", {"title": "Ceiling", "items": range(5)})


urlpatterns = [path(CEILING_PATH, ceiling, name="bench-ceiling"), *site_urlpatterns]
