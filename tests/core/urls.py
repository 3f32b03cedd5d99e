"""Pages with a form and with a CSP nonce, under a cached namespace, for the cache tests."""

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.template import engines
from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

FORM_PAGE = engines["django"].from_string(
    '<form method="post" action="/pagecache-test/form/">{% csrf_token %}'
    '<input name="text"></form><p>Form page</p>'
)
STRAY_TOKEN_PAGE = engines["django"].from_string(
    '<script type=\'application/json\'>{"token": "{{ csrf_token }}"}</script>'
)
NONCE_PAGE = engines["django"].from_string(
    '<script nonce="{{ nonce }}">let x = 1;</script><p>Nonce page</p>'
)


def form_page(request):
    if request.method == "POST":
        return HttpResponse(f"got {request.POST.get('text', '')}")
    return HttpResponse(FORM_PAGE.render({}, request))


def nonce_page(request):
    return HttpResponse(NONCE_PAGE.render({"nonce": get_nonce(request)}, request))


def stray_token_page(request):
    return HttpResponse(STRAY_TOKEN_PAGE.render({}, request))


def personal_page(request):
    response = HttpResponse("<p>Hello again</p>")
    response.set_cookie("seen", "1")
    return response


def written_while_rendering(request):
    """A page during whose rendering an editor's change commits (the version moves)."""
    from core.caching import bump_site_version

    bump_site_version()
    return HttpResponse("<p>Rendered from rows read before the change</p>")


class LatestFeed(Feed):
    title = "Latest"
    link = "/"
    description = "Latest articles"

    def items(self):
        from blog.models import Article

        return Article.objects.published().newest_first()[:10]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.excerpt

    def item_pubdate(self, item):
        return item.published_at


test_patterns = (
    [
        path("form/", form_page, name="form"),
        path("nonce/", nonce_page, name="nonce"),
        path("personal/", personal_page, name="personal"),
        path("stray-token/", stray_token_page, name="stray-token"),
        path("feed/", LatestFeed(), name="feed"),
        path("racing/", written_while_rendering, name="racing"),
    ],
    "pagecache-test",
)
urlpatterns = [path("pagecache-test/", include(test_patterns)), *site_urlpatterns]
