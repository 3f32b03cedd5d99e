from django import template

from newsletter.forms import SubscribeForm

register = template.Library()


@register.inclusion_tag("newsletter/_subscribe_box.html", takes_context=True)
def subscribe_box(context):
    """The "Discover more from <site>" box. No query of its own: the site's name comes
    from the `site` context processor, which the page has already read."""
    request = context.get("request")
    source = request.path if request is not None else ""
    return {
        "site": context.get("site"),
        "form": SubscribeForm(initial={"source": source}),
    }
