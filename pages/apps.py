from django.apps import AppConfig

from media import usage as media_usage


class PagesConfig(AppConfig):
    name = "pages"
    verbose_name = "Pages"

    def ready(self):
        from core import invalidation
        from pages.models import Page

        # A page is on its own address, in its parent's list and, top-level, in the
        # footer of every page: any write stales the cached pages, as for articles.
        invalidation.watch(Page)
        invalidation.next_change_at(next_publication_at)
        # A library picture shown in a page's text is not deleted from the library.
        media_usage.register(pages_showing)


def pages_showing(image):
    from media.body import marker
    from pages.models import Page

    return list(Page.objects.filter(body__contains=marker(image.pk)).only("title"))


def next_publication_at():
    """When the next scheduled page goes live: pages change then, with no write."""
    from pages.models import Page

    return (
        Page.objects.scheduled()
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
