"""Writes that carry a rule: saving an article announces its publication exactly once."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from blog.models import Article
from blog.signals import article_published


@transaction.atomic
def article_save(*, article: Article) -> Article:
    """Save `article`; if this save publishes it, send `article_published` after commit.

    Every writer (the admin, the importer, the bulk actions) goes through here, so the
    newsletter hears of each publication whoever made it. A published article always
    has a publication time: now, unless the editor set one (a future one schedules it).
    """
    was_published = False
    if article.pk is not None:
        stored = Article.objects.select_for_update().filter(pk=article.pk).values("status").first()
        was_published = stored is not None and stored["status"] == Article.Status.PUBLISHED
    if article.status == Article.Status.PUBLISHED and article.published_at is None:
        article.published_at = timezone.now()
    article.save()
    if article.status == Article.Status.PUBLISHED and not was_published:
        transaction.on_commit(lambda: article_published.send(sender=Article, article=article))
    return article


def article_publish(*, article: Article, at: datetime | None = None) -> Article:
    """Publish now, or at `at` (a future time schedules it)."""
    article.status = Article.Status.PUBLISHED
    if at is not None:
        article.published_at = at
    return article_save(article=article)


def article_unpublish(*, article: Article) -> Article:
    """Back to draft: readers lose it, the publication time is kept for a republish."""
    article.status = Article.Status.DRAFT
    return article_save(article=article)
