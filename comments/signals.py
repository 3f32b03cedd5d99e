"""Derived data the article writers need not know about."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from blog.models import Article
from comments.models import ArticleDiscussion, DiscussionSettings


@receiver(post_save, sender=Article, dispatch_uid="comments.article_created")
def set_new_article_discussion(sender, instance: Article, created=False, raw=False, **kwargs):
    """A new article takes the "allow comments on new articles" setting of its day.

    Only a closed article needs a row (an article without one is open), so while the
    setting is on, creating an article costs one read here and no write.
    """
    if created and not raw and not DiscussionSettings.load().is_open_on_new_articles:
        ArticleDiscussion.objects.get_or_create(article=instance, defaults={"is_open": False})
