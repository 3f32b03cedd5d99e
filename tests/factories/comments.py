"""Comment factories: states are traits (pending is the default, as for a new comment)."""

import factory
from django.utils import timezone

from comments.models import ArticleDiscussion, Comment
from tests.factories.blog import ArticleFactory


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    article = factory.SubFactory(ArticleFactory)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.Sequence(lambda n: f"reader{n}@example.net")
    author_url = ""
    body = factory.Faker("paragraph")
    status = Comment.Status.PENDING
    created_at = factory.LazyFunction(timezone.now)
    ip_address = "192.0.2.10"
    depth = factory.LazyAttribute(lambda comment: comment.parent.depth + 1 if comment.parent else 1)

    class Params:
        approved = factory.Trait(status=Comment.Status.APPROVED)
        spam = factory.Trait(status=Comment.Status.SPAM)
        trashed = factory.Trait(status=Comment.Status.TRASH)
        reply = factory.Trait(
            parent=factory.SubFactory(
                "tests.factories.comments.CommentFactory",
                article=factory.SelfAttribute("..article"),
                approved=True,
            ),
        )


class ArticleDiscussionFactory(factory.django.DjangoModelFactory):
    """An article's switch, set as asked whether or not its row exists (a row is also
    made when its thread first changes, e.g. by an approved comment)."""

    class Meta:
        model = ArticleDiscussion

    article = factory.SubFactory(ArticleFactory)
    is_open = True

    class Params:
        closed = factory.Trait(is_open=False)

    @classmethod
    def _create(cls, model_class, article, **fields):
        row, _created = model_class.objects.update_or_create(article=article, defaults=fields)
        return row
