"""Tags for what a shared or indexed page says about itself."""

import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from blog.structured_data import article_json_ld

register = template.Library()

# As django.utils.html.json_script: inside <script>, "<" could close the element
# ("</script>") or open a comment ("<!--"); these escapes keep the JSON equal.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> str:
    """A JSON-LD data block. Its type makes it data, never run, so a strict
    Content-Security-Policy (script-src without 'unsafe-inline') leaves it alone."""
    payload = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=None)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(payload.translate(_SCRIPT_ESCAPES)),  # noqa: S308  (escaped above)
    )


@register.simple_tag(takes_context=True)
def article_structured_data(context, article):
    site = context["site"]
    return json_ld_script(
        article_json_ld(article, site_name=site.display_name, site_url=context["site_url"])
    )
