"""Autodiscovery links for the comment feeds, for the article page's <head>."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def comment_feed_links(context, article):
    site_name = context["site"].display_name
    return format_html(
        '<link rel="alternate" type="application/rss+xml" title="{} – Comments" href="{}">\n'
        '  <link rel="alternate" type="application/rss+xml" title="{} – {} – Comments" href="{}">',
        site_name,
        reverse("comments:feed"),
        site_name,
        article.title,
        reverse("comments:article-feed", args=[article.pk]),
    )
