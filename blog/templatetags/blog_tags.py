from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def machine_datetime(value):
    """A `<time datetime>` value: ISO 8601 to the second (HTML allows at most
    milliseconds, and Django's "c" format prints microseconds)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
