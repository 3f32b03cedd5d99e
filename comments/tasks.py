"""Background work of the comments app, run by Django's Tasks framework."""

from django.tasks import task

from comments.models import Comment
from comments.notifications import send_comment_notification


@task
def comment_notify_editors(comment_id: int) -> int:
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None:  # deleted before the worker came to it
        return 0
    return send_comment_notification(comment)
