"""Newsletter factories: a subscriber is pending unless a trait says otherwise."""

from datetime import timedelta

import factory
from django.utils import timezone

from newsletter.models import Subscriber


class SubscriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    status = Subscriber.Status.PENDING
    consent_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    consent_source = "/"

    class Params:
        confirmed = factory.Trait(
            status=Subscriber.Status.CONFIRMED,
            confirmed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        unsubscribed = factory.Trait(
            status=Subscriber.Status.UNSUBSCRIBED,
            confirmed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
            unsubscribed_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1)),
        )
