"""Token-free forms and a webhook beside the site's own URLs, for the cross-origin tests."""

from django.contrib.auth.models import Group
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from comments.views import comment_post
from config.urls import urlpatterns as site_urlpatterns
from security.crossorigin import cross_origin_exempt, protected_by_fetch_metadata


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
        path("comment/<int:article_id>/", comment_post, name="comment"),
    ],
    "crossorigin-test",
)
urlpatterns = [path("crossorigin-test/", include(crossorigin_patterns)), *site_urlpatterns]
