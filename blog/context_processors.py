from django.conf import settings
from django.utils.functional import SimpleLazyObject

from blog.models import SiteSettings


def site(request):
    """The site's identity for every template, read (one query) only by a page that
    shows it."""
    return {"site": SimpleLazyObject(SiteSettings.load), "site_url": settings.SITE_URL}
