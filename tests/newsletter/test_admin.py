import csv
import io

import pytest
from django.urls import reverse

from newsletter import services
from newsletter.models import Delivery, Subscriber
from tests.factories.blog import ArticleFactory
from tests.factories.newsletter import SubscriberFactory

pytestmark = pytest.mark.django_db


def test_editor_sees_subscribers_and_their_states(editor_client):
    SubscriberFactory(email="pending@example.org")
    SubscriberFactory(email="confirmed@example.org", confirmed=True)
    SubscriberFactory(email="left@example.org", unsubscribed=True)

    response = editor_client.get(reverse("admin:newsletter_subscriber_changelist"))

    assert response.status_code == 200
    for text in ("pending@example.org", "Pending confirmation", "Confirmed", "Unsubscribed"):
        assert text in response.text


def test_editor_exports_subscribers_as_csv_without_formulas(editor_client):
    SubscriberFactory(email="reader@example.org", confirmed=True)
    SubscriberFactory(email="=cmd@example.org", consent_source="/")

    response = editor_client.post(
        reverse("admin:newsletter_subscriber_changelist"),
        {
            "action": "export_csv",
            "_selected_action": list(Subscriber.objects.values_list("pk", flat=True)),
        },
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["email", "status", "consent_at"]
    emails = sorted(row[0] for row in rows[1:])
    assert emails == ["'=cmd@example.org", "reader@example.org"]


def test_editor_sees_per_article_delivery_counts_from_the_rows(editor_client):
    SubscriberFactory.create_batch(3, confirmed=True)
    article = ArticleFactory(title="Counted article")
    mailing = services.mailing_prepare(article=article)
    first, second, _ = mailing.deliveries.order_by("pk")
    Delivery.objects.filter(pk=first.pk).update(status=Delivery.Status.SENT)
    Delivery.objects.filter(pk=second.pk).update(status=Delivery.Status.FAILED)

    response = editor_client.get(reverse("admin:newsletter_mailing_changelist"))

    assert response.status_code == 200
    assert "Counted article" in response.text
    assert '<td class="field-queued">1</td>' in response.text
    assert '<td class="field-sent">1</td>' in response.text
    assert '<td class="field-failed">1</td>' in response.text
