from django.conf import settings

from blog.models import SiteSettings


def site(request):
    """The site's identity for every template; the row is read lazily, once at most
    per request (a view that renders parts of its page asks for it too)."""
    if request is None:
        return {"site": _LazySite(), "site_url": settings.SITE_URL}
    if not hasattr(request, "_lazy_site"):
        request._lazy_site = _LazySite()
    return {"site": request._lazy_site, "site_url": settings.SITE_URL}


class _LazySite:
    _row = None

    def __getattr__(self, name):
        if self._row is None:
            self._row = SiteSettings.load()
        return getattr(self._row, name)

    def __str__(self):
        return str(self.display_name)
