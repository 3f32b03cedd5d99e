from datetime import timedelta

import pytest
from django.template import RequestContext, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blog.models import SiteSettings
from newsletter.forms import EMAIL_INVALID
from newsletter.models import Subscriber
from newsletter.views import (
    LINK_EXPIRED,
    LINK_SUPERSEDED,
    LINK_TAMPERED,
    LINK_UNKNOWN,
    RATE_LIMITED,
)
from tests.factories.blog import ArticleFactory
from tests.factories.newsletter import SubscriberFactory
from tests.newsletter.helpers import html_part, link_to

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("newsletter:subscribe")
BOX_TEXTS = [
    "Discover more from Defence Talks",
    "Subscribe to get the latest posts sent to your email.",
    "Email address</label>",
    ">Subscribe</button>",
]


@pytest.fixture(autouse=True)
def site_name():
    SiteSettings.objects.update_or_create(pk=1, defaults={"name": "Defence Talks"})


def subscribe(client, after_commit, email, source="/"):
    with after_commit():
        return client.post(SUBSCRIBE, {"email": email, "source": source})


def test_article_page_shows_subscription_box(client):
    article = ArticleFactory()

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    for text in BOX_TEXTS:
        assert text in response.text
    assert f'value="{article.get_absolute_url()}"' in response.text  # where consent was given


def test_subscription_box_costs_no_query_beyond_the_site_settings(rf, django_assert_num_queries):
    request = rf.get("/2025/01/02/an-article/")
    template = Template("{{ site.display_name }}{% load newsletter_tags %}{% subscribe_box %}")
    context = RequestContext(request, {})

    with django_assert_num_queries(1):  # the site settings, which base.html reads anyway
        html = template.render(context)

    assert "Discover more from Defence Talks" in html


def test_home_page_shows_subscription_box(client):
    ArticleFactory()

    response = client.get(reverse("blog:article-list"))

    for text in BOX_TEXTS:
        assert text in response.text


def test_new_address_gets_confirmation_email_and_is_told_to_check_inbox(
    client, after_commit, mailoutbox
):
    response = subscribe(client, after_commit, "Reader@Example.ORG", source="/2025/01/02/a/")

    assert response.status_code == 303
    assert response["Location"] == reverse("newsletter:check-inbox")
    assert "Check your inbox" in client.get(response["Location"]).text
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Reader@example.org"
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_source == "/2025/01/02/a/"
    assert subscriber.consent_at is not None
    (message,) = mailoutbox
    assert message.to == ["Reader@example.org"]
    assert message.subject == "Confirm your subscription to Defence Talks"
    assert link_to(message.body, "/confirm/") == link_to(html_part(message), "/confirm/")


def test_confirmation_link_shows_button_and_only_post_confirms(client, after_commit, mailoutbox):
    subscribe(client, after_commit, "reader@example.org")
    confirm_path = link_to(mailoutbox[0].body, "/confirm/")

    page = client.get(confirm_path)  # what a mail scanner does

    assert page.status_code == 200
    assert "Confirm my subscription" in page.text
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING

    response = client.post(confirm_path)

    assert response.status_code == 200
    assert "You are subscribed" in response.text
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert subscriber.confirmed_at is not None

    again = client.post(confirm_path)

    assert again.status_code == 200
    assert "already subscribed" in again.text


def test_same_answer_for_new_pending_and_confirmed_addresses(client, after_commit, mailoutbox):
    SubscriberFactory(email="pending@example.org", confirmation_sent_at=timezone.now())
    SubscriberFactory(email="confirmed@example.org", confirmed=True)

    responses = [
        subscribe(client, after_commit, email)
        for email in ("new@example.org", "pending@example.org", "confirmed@example.org")
    ]

    assert {(r.status_code, r["Location"]) for r in responses} == {
        (303, reverse("newsletter:check-inbox"))
    }
    assert [m.to for m in mailoutbox] == [["new@example.org"]]


def test_pending_address_gets_confirmation_again_at_most_once_per_interval(
    client, after_commit, mailoutbox, settings
):
    settings.NEWSLETTER_RESEND_SECONDS = 300
    subscribe(client, after_commit, "reader@example.org")
    subscribe(client, after_commit, "READER@example.org")
    assert len(mailoutbox) == 1

    Subscriber.objects.update(confirmation_sent_at=timezone.now() - timedelta(seconds=301))
    subscribe(client, after_commit, "reader@EXAMPLE.org")

    assert len(mailoutbox) == 2
    assert Subscriber.objects.count() == 1


def test_unsubscribed_address_subscribing_again_starts_a_new_consent(
    client, after_commit, mailoutbox
):
    old = SubscriberFactory(email="back@example.org", unsubscribed=True)

    subscribe(client, after_commit, "back@example.org", source="/about/")

    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_at > old.consent_at
    assert subscriber.consent_source == "/about/"
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    "typed",
    [
        "not-an-address",
        "reader@",
        "reader@example.org\r\nBcc: victim@example.org",
        "a" * 250 + "@example.org",
        "<script>@example.org",
        "reader\x00@example.org",
        "reader@example.org, other@example.org",
    ],
)
def test_bad_address_is_refused_at_the_field_keeping_what_was_typed(client, typed, mailoutbox):
    response = client.post(SUBSCRIBE, {"email": typed, "source": "/"})

    assert response.status_code == 400
    assert "Subscribe to get the latest posts" in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


def test_bad_address_error_message_and_value(client):
    response = client.post(SUBSCRIBE, {"email": "reader at example.org"})

    assert EMAIL_INVALID in response.text
    assert 'value="reader at example.org"' in response.text


def test_sign_ups_are_rate_limited_per_client_address(client, after_commit, settings):
    settings.NEWSLETTER_SIGNUP_RATE = 2
    subscribe(client, after_commit, "one@example.org")
    subscribe(client, after_commit, "two@example.org")

    response = subscribe(client, after_commit, "three@example.org")

    assert response.status_code == 429
    assert RATE_LIMITED in response.text
    assert 'value="three@example.org"' in response.text
    assert not Subscriber.objects.filter(email="three@example.org").exists()
    other = Client(REMOTE_ADDR="192.0.2.7")
    assert subscribe(other, after_commit, "three@example.org").status_code == 303


def test_foreign_source_is_not_recorded(client, after_commit):
    subscribe(client, after_commit, "reader@example.org", source="https://evil.example/")

    assert Subscriber.objects.get().consent_source == ""


def test_tampered_confirmation_link_is_refused(client, after_commit, mailoutbox):
    subscribe(client, after_commit, "reader@example.org")
    confirm_path = link_to(mailoutbox[0].body, "/confirm/")
    tampered = confirm_path[:-3] + ("x" if confirm_path[-3] != "x" else "y") + confirm_path[-2:]

    for response in (client.get(tampered), client.post(tampered)):
        assert response.status_code == 400
        assert LINK_TAMPERED in response.text
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


@pytest.mark.parametrize("token", ["garbage", "12", ":", "a:2:3", "-1:abc", "x" * 500, "٣:abc"])
def test_malformed_confirmation_links_are_refused(client, token):
    response = client.post(reverse("newsletter:confirm", kwargs={"token": token}))

    assert response.status_code == 400


def test_confirmation_link_of_unknown_subscriber_is_not_found(client, after_commit, mailoutbox):
    subscribe(client, after_commit, "reader@example.org")
    confirm_path = link_to(mailoutbox[0].body, "/confirm/")
    Subscriber.objects.all().delete()

    response = client.get(confirm_path)

    assert response.status_code == 404
    assert LINK_UNKNOWN in response.text


def test_expired_confirmation_link_is_gone(client, after_commit, mailoutbox, settings):
    subscribe(client, after_commit, "reader@example.org")
    confirm_path = link_to(mailoutbox[0].body, "/confirm/")
    settings.NEWSLETTER_CONFIRM_MAX_AGE = -1

    response = client.post(confirm_path)

    assert response.status_code == 410
    assert LINK_EXPIRED in response.text
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_confirmation_link_after_unsubscribing_does_not_resubscribe(
    client, after_commit, mailoutbox
):
    subscribe(client, after_commit, "reader@example.org")
    message = mailoutbox[0]
    confirm_path = link_to(message.body, "/confirm/")
    client.post(link_to(message.body, "/unsubscribe/"))

    response = client.post(confirm_path)

    assert response.status_code == 410
    assert LINK_SUPERSEDED in response.text
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_confirmation_link_of_an_earlier_subscription_is_refused(client, after_commit, mailoutbox):
    subscribe(client, after_commit, "reader@example.org")
    old_confirm = link_to(mailoutbox[0].body, "/confirm/")
    client.post(link_to(mailoutbox[0].body, "/unsubscribe/"))
    subscribe(client, after_commit, "reader@example.org")

    assert client.post(old_confirm).status_code == 400
    assert client.post(link_to(mailoutbox[1].body, "/confirm/")).status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_confirming_one_address_leaves_others_alone(client, after_commit, mailoutbox):
    other = SubscriberFactory(email="other@example.org")
    subscribe(client, after_commit, "reader@example.org")

    client.post(link_to(mailoutbox[0].body, "/confirm/"))

    other.refresh_from_db()
    assert other.status == Subscriber.Status.PENDING
