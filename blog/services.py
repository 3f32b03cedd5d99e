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


# Who may do what. Editors (the `blog.publish_article` permission) publish, schedule,
# make private and edit every article; authors (the Authors group: add and change, but
# not publish) write their own articles and submit them for review, as WordPress's
# Contributor role does. An author's article leaves their hands once it is published:
# changing it then would change what readers see without an editor.
AUTHOR_STATUSES = (Article.Status.DRAFT, Article.Status.PENDING)

STATUS_REFUSED_MESSAGE = (
    "You can save this article as a draft or submit it for review; an editor publishes it."
)


def may_publish(user) -> bool:
    return user.has_perm("blog.publish_article")


def may_edit(user, article: Article) -> bool:
    """Whether `user` may change `article` (and so preview it)."""
    if may_publish(user):
        return user.has_perm("blog.change_article")
    return (
        user.has_perm("blog.change_article")
        and article.author_id == user.pk
        and article.status in AUTHOR_STATUSES
    )


def allowed_statuses(user, article: Article | None = None) -> tuple[str, ...]:
    """The statuses `user` may give `article` (None: a new article)."""
    if may_publish(user):
        return tuple(Article.Status.values)
    return AUTHOR_STATUSES


def articles_for(user, articles=None):
    """Of `articles` (default: all), those `user` may open in the admin: all of them for
    editors, their own for authors."""
    articles = Article.objects.all() if articles is None else articles
    if may_publish(user):
        return articles
    return articles.filter(author_id=user.pk)


def articles_visible_to(user):
    """What `user` may read at an article's address or its preview: the published
    articles, and those they may edit (editors: any; authors: their own drafts)."""
    if not user.has_perm("blog.change_article"):
        return Article.objects.published()
    if may_publish(user):
        return Article.objects.all()
    return Article.objects.published() | Article.objects.filter(
        author_id=user.pk, status__in=AUTHOR_STATUSES
    )
