"""Pages on every page of the site: `{% load pages_tags %}`."""

from django import template
from django.conf import settings

from core import invalidation
from pages.models import Page

register = template.Library()


@register.inclusion_tag("pages/_footer_menu.html")
def footer_menu():
    """The top-level published pages, for the footer of every page: one query.

    With the page cache on (a cache every process shares), the list is also kept as a
    fragment under the site version: any change readers could see (a page saved,
    published or deleted) replaces the version (core/invalidation.py), so a page that is
    rendered anyway (an editor's, a miss) gets its footer for one cache read. Without it,
    a per-process cache would never hear of a change made in another process, so the
    list is asked for each time. The queryset is evaluated only where it is rendered.
    """
    return {
        "pages": Page.objects.in_menu().only("title", "path"),
        "version": invalidation.current() if settings.PAGE_CACHE else None,
        "seconds": settings.PAGE_CACHE_SECONDS,
    }
