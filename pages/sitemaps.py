"""The published pages in sitemap.xml. blog serves the sitemap and knows nothing of
pages: config/urls.py adds this section to blog's SITEMAPS (one query, whatever the
number of pages)."""

from blog.sitemaps import SiteSitemap
from pages.models import Page


class PageSitemap(SiteSitemap):
    def items(self):
        return Page.objects.published().only("path", "updated_at").order_by("path")

    def location(self, item):
        return item.get_absolute_url()

    def lastmod(self, item):
        return item.updated_at
