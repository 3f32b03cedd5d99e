"""What an import leaves behind (ImportedItem, LegacyPath), and pages, made directly so
that the redirects and the export can be tested without running an import."""

import factory
from django.contrib.contenttypes.models import ContentType

from pages.models import Page
from wordpress.models import ImportedItem, LegacyPath

SITE_URL = "https://old.example.com"


class PageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Page

    title = factory.Sequence(lambda n: f"Page {n}")
    slug = factory.Sequence(lambda n: f"page-{n}")
    body = "<p>Who we are.</p>"
    status = Page.Status.PUBLISHED

    class Params:
        draft = factory.Trait(status=Page.Status.DRAFT)


class ImportedItemFactory(factory.django.DjangoModelFactory):
    """`ImportedItemFactory(target=article, kind=ImportedItem.Kind.POST, wp_id=12)`."""

    class Meta:
        model = ImportedItem
        exclude = ["target"]

    site_url = SITE_URL
    kind = ImportedItem.Kind.POST
    wp_id = factory.Sequence(lambda n: 1000 + n)
    content_type = factory.LazyAttribute(lambda row: ContentType.objects.get_for_model(row.target))
    object_id = factory.LazyAttribute(lambda row: row.target.pk)


class LegacyPathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegacyPath
        exclude = ["target"]

    path = factory.Sequence(lambda n: f"/old-address-{n}/")
    content_type = factory.LazyAttribute(lambda row: ContentType.objects.get_for_model(row.target))
    object_id = factory.LazyAttribute(lambda row: row.target.pk)
