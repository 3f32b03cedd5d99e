"""Pages under a shared namespace for the page cache tests, beside the site's own."""

from django.http import HttpResponse
from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns
from core import invalidation


def personal_page(request):
    response = HttpResponse("<p>Hello again</p>")
    response.set_cookie("seen", "1")
    return response


def written_while_rendering(request):
    """A page during whose rendering an editor's change commits (the version moves)."""
    invalidation.bump()
    return HttpResponse("<p>Rendered from rows read before the change</p>")


def counted_page(request):
    counted_page.renders += 1
    return HttpResponse(f"<p>Render number {counted_page.renders}</p>")


counted_page.renders = 0

test_patterns = (
    [
        path("personal/", personal_page, name="personal"),
        path("racing/", written_while_rendering, name="racing"),
        path("counted/", counted_page, name="counted"),
    ],
    "pagecache-test",
)
urlpatterns = [path("pagecache-test/", include(test_patterns)), *site_urlpatterns]
