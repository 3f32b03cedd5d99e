"""The admin's pending-comments badge (templates/admin/app_list.html)."""

from django import template

from comments.models import Comment

register = template.Library()


@register.simple_tag
def comments_pending_count() -> int:
    """How many comments wait for an editor: one COUNT query."""
    return Comment.objects.pending().count()
