"""Blog's signals, and the receivers that keep data derived from articles up to date.

`article_published` is how other apps (the newsletter, caches) learn that an article
became published without blog knowing they exist. It is sent by `services.article_save`
after the transaction commits, once per transition from draft to published.
"""

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from blog.models import Article, OldSlug, RelatedLink

article_published = Signal()  # sender=Article, article=<Article>


@receiver(post_save, sender=Article, dispatch_uid="blog.article_saved")
def keep_links_and_old_slugs(sender, instance: Article, raw=False, **kwargs):
    if raw:
        return
    loaded_slug = getattr(instance, "_loaded_slug", None)
    if loaded_slug and loaded_slug != instance.slug:
        OldSlug.objects.update_or_create(slug=loaded_slug, defaults={"article": instance})
        # The article may take back a slug it once had: that one is current again.
        OldSlug.objects.filter(slug=instance.slug).delete()
    instance._loaded_slug = instance.slug
    # A "See also" link waiting for an article with this title now has its target.
    RelatedLink.objects.unresolved().titled(instance.title).exclude(article=instance).update(
        target=instance
    )
