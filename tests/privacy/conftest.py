from datetime import timedelta

import pytest
from django.utils import timezone

from newsletter.models import Delivery, Mailing
from tests.factories.blog import ArticleFactory
from tests.factories.comments import CommentFactory
from tests.factories.newsletter import SubscriberFactory

ADDRESS = "Person@Example.net"


@pytest.fixture
def article(db):
    return ArticleFactory(title="Drones over the Black Sea")


@pytest.fixture
def held_data(article):
    """What the site holds about ADDRESS, and about someone else."""
    mine = [
        CommentFactory(article=article, approved=True, author_email=ADDRESS, author_name="Pat",
                       author_url="https://pat.example/", body="First thoughts",
                       ip_address="203.0.113.9", user_agent="Firefox"),
        CommentFactory(article=article, author_email="person@example.net", body="Held one"),
    ]  # fmt: skip
    reply = CommentFactory(article=article, approved=True, parent=mine[0], body="A reply")
    subscriber = SubscriberFactory(email="person@example.net", confirmed=True,
                                   consent_source="/2024/01/01/x/")  # fmt: skip
    other_subscriber = SubscriberFactory(confirmed=True)
    mailing = Mailing.objects.create(article=article, audience_cutoff=timezone.now())
    delivery = Delivery.objects.create(
        mailing=mailing,
        subscriber=subscriber,
        status=Delivery.Status.SENT,
        sent_at=timezone.now() - timedelta(minutes=5),
    )
    Delivery.objects.create(mailing=mailing, subscriber=other_subscriber)
    return {
        "comments": mine,
        "reply": reply,
        "subscriber": subscriber,
        "delivery": delivery,
        "other_subscriber": other_subscriber,
    }
