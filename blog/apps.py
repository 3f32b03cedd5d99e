from django.apps import AppConfig

from media import usage as media_usage


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = "Articles"

    def ready(self):
        from django.contrib.auth import get_user_model

        from blog import signals  # noqa: F401  (connects the receivers)
        from core import invalidation

        # Everything blog stores is on its pages; so are authors' names (bylines). A
        # login only writes the time of it.
        for model in self.get_models():
            invalidation.watch(model)
        invalidation.watch(get_user_model(), unseen_fields=frozenset({"last_login"}))
        invalidation.next_change_at(next_publication_at)
        # A library picture shown in an article's text is not deleted from the library
        # (the featured image is protected by its foreign key).
        media_usage.register(articles_showing)


def articles_showing(image):
    from blog.models import Article
    from media.body import marker

    return list(Article.objects.filter(body__contains=marker(image.pk)).only("title"))


def next_publication_at():
    """When the next scheduled article goes live: pages change then, with no write."""
    from blog.models import Article

    return (
        Article.objects.scheduled()
        .order_by("published_at")
        .values_list("published_at", flat=True)
        .first()
    )
