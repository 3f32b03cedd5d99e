from django import template
from django.conf import settings

from blog import html
from blog.models import Category

register = template.Library()


register.filter("machine_datetime", html.machine_datetime)


@register.simple_tag
def page_sections(place):
    """The templates that settings.PAGE_SECTIONS lists for `place`, in order, for the
    page to include: `{% page_sections "article_end" as sections %}{% for section in
    sections %}{% include section %}{% endfor %}`.

    This is how other apps put their sections on blog's pages (the subscription box,
    the comment section) without blog's templates naming them: the project's settings
    wire them in, so removing an app means removing its templates from that list.
    """
    return settings.PAGE_SECTIONS.get(place, ())


@register.inclusion_tag("blog/_navigation.html", takes_context=True)
def site_navigation(context):
    """The sections editors chose for the header (one query). The section whose archive
    this is gets aria-current: the same for every reader of the address."""
    request = context.get("request")
    return {
        "sections": Category.objects.in_navigation().only("name", "slug"),
        "current_path": request.path if request is not None else "",
    }
