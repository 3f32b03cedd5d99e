"""What an import leaves behind (ImportedItem, LegacyPath), made directly so that the
redirects can be tested without running an import."""

import factory
from django.contrib.contenttypes.models import ContentType

from wordpress.models import ImportedItem, LegacyPath

SITE_URL = "https://old.example.com"


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
