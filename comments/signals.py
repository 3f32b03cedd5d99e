"""Derived data the writers need not know about."""

from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from blog.models import Article
from comments.models import ArticleDiscussion, Comment, DiscussionSettings
from comments.services import comment_versions_bump


@receiver(post_save, sender=Article, dispatch_uid="comments.article_created")
def set_new_article_discussion(sender, instance: Article, created=False, raw=False, **kwargs):
    """A new article takes the "allow comments on new articles" setting of its day.

    Only a closed article needs a row (an article without one is open), so while the
    setting is on, creating an article costs one read here and no write.
    """
    if created and not raw and not DiscussionSettings.load().is_open_on_new_articles:
        ArticleDiscussion.objects.get_or_create(article=instance, defaults={"is_open": False})


@receiver(post_save, sender=Comment, dispatch_uid="comments.comment_saved")
def raise_comment_version_on_save(sender, instance: Comment, created=False, raw=False, **kwargs):
    """A comment readers see (or saw) was saved: its article's thread changed."""
    if not raw and instance.changes_thread(created=created):
        comment_versions_bump(article_ids=[instance.article_id])


@receiver(post_delete, sender=Comment, dispatch_uid="comments.comment_deleted")
def raise_comment_version_on_delete(sender, instance: Comment, origin=None, **kwargs):
    """A comment readers saw was deleted: its article's thread changed.

    Only when comments themselves were deleted: comments deleted with their article
    (the one cascade that deletes them) have no thread left to mark, and their article's
    discussion row, deleted in the same sweep, must not be made anew.
    """
    deleting_comments = isinstance(origin, Comment) or (
        isinstance(origin, QuerySet) and origin.model is Comment
    )
    if deleting_comments and instance.changes_thread():
        comment_versions_bump(article_ids=[instance.article_id])
