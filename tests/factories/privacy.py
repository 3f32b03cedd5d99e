"""Privacy request factories: an editor's request by default; `reader` awaits its link."""

import factory

from privacy.models import PrivacyRequest


class PrivacyRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyRequest

    kind = PrivacyRequest.Kind.EXPORT
    email = factory.Sequence(lambda n: f"person{n}@example.net")
    source = PrivacyRequest.Source.ADMIN
    status = PrivacyRequest.Status.AWAITING

    class Params:
        erase = factory.Trait(kind=PrivacyRequest.Kind.ERASE)
        delete_comments = factory.Trait(comments=PrivacyRequest.Comments.DELETE)
        reader = factory.Trait(source=PrivacyRequest.Source.READER)
