"""Pages with a form and with a CSP nonce, under a cached namespace, for the cache tests;
token-free forms and a webhook, for the cross-origin tests."""

from django.contrib.auth.models import Group
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.middleware.csp import get_nonce
from django.template import engines
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from comments.views import comment_post
from config.urls import urlpatterns as site_urlpatterns
from core.crossorigin import cross_origin_exempt, protected_by_fetch_metadata

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


def store_name(request):
    """A form's POST target that stores a row (a group named as sent), for any method."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return HttpResponse("<p>Nothing stored</p>")
    Group.objects.create(name=request.POST.get("name", request.method))
    return HttpResponse("<p>Stored</p>")


crossorigin_patterns = (
    [
        path("form/", protected_by_fetch_metadata(store_name), name="form"),
        path("webhook/", cross_origin_exempt(csrf_exempt(store_name)), name="webhook"),
        # The real comment view, as the lead engineer will decorate it.
        path(
            "comment/<int:article_id>/", protected_by_fetch_metadata(comment_post), name="comment"
        ),
    ],
    "crossorigin-test",
)

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
urlpatterns = [
    path("pagecache-test/", include(test_patterns)),
    path("crossorigin-test/", include(crossorigin_patterns)),
    *site_urlpatterns,
]
