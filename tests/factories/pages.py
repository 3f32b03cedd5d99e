from datetime import timedelta

import factory
from django.utils import timezone

from pages.models import Page


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page number {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    body = "<p>What this page says.</p>"
    status = Page.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    class Params:
        draft = factory.Trait(status=Page.Status.DRAFT, published_at=None)
        private = factory.Trait(status=Page.Status.PRIVATE)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
        )
