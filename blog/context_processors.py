from django.conf import settings

from blog.models import SiteSettings
from core import fragments


def site(request):
    """The site's identity for every template; the row is read lazily, once at most
    per request (a view that renders parts of its page asks for it too)."""
    if not hasattr(request, "_lazy_site"):
        request._lazy_site = _LazySite(request)
    return {"site": request._lazy_site, "site_url": settings.SITE_URL}


class _LazySite:
    _row = None

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        if self._row is None:
            # Kept with the other shared parts of pages (core/fragments.py): a page
            # rendered for one reader then needs no database at all for it.
            self._row = fragments.fragment(self._request, "site", 1, SiteSettings.load)
        return getattr(self._row, name)

    def __str__(self):
        return str(self.display_name)
