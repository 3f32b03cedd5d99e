from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from blog import html
from blog.models import Category

register = template.Library()


register.filter("machine_datetime", html.machine_datetime)


@register.simple_tag(takes_context=True)
def page_sections(context, place):
    """Render, in order, the templates that settings.PAGE_SECTIONS lists for `place`.

    This is how other apps put their sections on blog's pages (the subscription box,
    the comment section) without blog's templates naming them: the project's settings
    wire them in, so removing an app means removing its templates from that list.
    """
    engine = context.template.engine
    return mark_safe(  # noqa: S308 (each section is a template, escaped as it renders)
        "".join(
            engine.get_template(name).render(context)
            for name in settings.PAGE_SECTIONS.get(place, ())
        )
    )


@register.inclusion_tag("blog/_navigation.html", takes_context=True)
def site_navigation(context):
    """The sections editors chose for the header (one query). The section whose archive
    this is gets aria-current: the same for every reader of the address."""
    request = context.get("request")
    return {
        "sections": Category.objects.in_navigation().only("name", "slug"),
        "current_path": request.path if request is not None else "",
    }
