"""One factory per model, with valid defaults; states are traits."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from blog.models import Article, Category, RelatedLink, Tag


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    class Params:
        editor = factory.Trait(
            is_staff=True,
            groups=factory.PostGeneration(
                lambda user, create, extracted, **kwargs: user.groups.add(
                    Group.objects.get(name="Editors")
                )
            ),
        )
        # Writes and submits drafts; an editor publishes (blog migration 0012).
        author = factory.Trait(
            is_staff=True,
            groups=factory.PostGeneration(
                lambda user, create, extracted, **kwargs: user.groups.add(
                    Group.objects.get(name="Authors")
                )
            ),
        )


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = ""  # derived from the title on save, as in the admin
    body = factory.Faker("paragraphs", nb=3)
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("body"), list):
            kwargs["body"] = "\n\n".join(kwargs["body"])
        return kwargs

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )


class RelatedLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RelatedLink

    article = factory.SubFactory(ArticleFactory)
    target = factory.SubFactory(ArticleFactory)
    target_title = factory.LazyAttribute(lambda link: link.target.title if link.target else "")
    after_paragraph = 1

    class Params:
        dangling = factory.Trait(target=None, target_title="An article not written yet")


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda category: slugify(category.name))
    description = ""


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.LazyAttribute(lambda tag: slugify(tag.name))
