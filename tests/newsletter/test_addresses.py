"""Sign-ups match addresses by one key (core/addresses.py), and the sign-up page does the
same work for every address, leaving the decision to a task."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from core.addresses import DOMAIN_INVALID
from newsletter import tasks
from newsletter.models import Subscriber
from tests.addresses import LOOKALIKES, SAME_PERSON
from tests.factories.newsletter import SubscriberFactory

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("newsletter:subscribe")


def subscribe(client, after_commit, email):
    with after_commit():
        response = client.post(SUBSCRIBE, {"email": email, "source": "/"})
    assert response.status_code == 303
    return response


@pytest.mark.parametrize(("person", "lookalike"), LOOKALIKES)
def test_a_lookalike_of_a_subscriber_is_a_new_subscriber_with_their_own_confirmation(
    client, after_commit, mailoutbox, person, lookalike
):
    subscribed = SubscriberFactory(email=person, confirmed=True)

    subscribe(client, after_commit, lookalike)

    assert Subscriber.objects.count() == 2
    newcomer = Subscriber.objects.exclude(pk=subscribed.pk).get()
    assert newcomer.status == Subscriber.Status.PENDING
    [message] = mailoutbox
    assert message.to == [newcomer.email]
    assert message.to != [person]
    subscribed.refresh_from_db()
    assert subscribed.status == Subscriber.Status.CONFIRMED


@pytest.mark.parametrize(("person", "typed"), SAME_PERSON)
def test_the_same_address_typed_otherwise_is_the_same_subscriber(
    client, after_commit, mailoutbox, person, typed
):
    subscribe(client, after_commit, person)

    subscribe(client, after_commit, typed)

    assert Subscriber.objects.count() == 1


def test_an_international_domain_is_stored_and_written_to_as_dns_knows_it(
    client, after_commit, mailoutbox
):
    subscribe(client, after_commit, "Jo@Bücher.example")

    assert Subscriber.objects.get().email == "Jo@xn--bcher-kva.example"
    [message] = mailoutbox
    assert message.to == ["Jo@xn--bcher-kva.example"]


def test_a_domain_idna_refuses_is_refused_at_the_field(client, mailoutbox):
    response = client.post(SUBSCRIBE, {"email": "dana@ſam.example.org", "source": "/"})

    assert response.status_code == 400
    assert DOMAIN_INVALID in response.text
    assert 'value="dana@ſam.example.org"' in response.text
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


# --- The same work for every address --------------------------------------------------


@pytest.fixture
def queued_tasks(settings):
    """Production's TASKS_BACKEND=database: the page only queues; a worker decides."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def sign_up_queries(client, email):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(SUBSCRIBE, {"email": email, "source": "/about/"})
    # The statements, their values left out (an id, a time, the address).
    return response, [LITERAL.sub("?", query["sql"]) for query in queries.captured_queries]


def test_sign_up_page_does_the_same_work_whatever_the_address_state(
    client, queued_tasks, mailoutbox
):
    states = {
        "confirmed@example.org": SubscriberFactory(email="confirmed@example.org", confirmed=True),
        "pending@example.org": SubscriberFactory(email="pending@example.org"),
        "left@example.org": SubscriberFactory(email="left@example.org", unsubscribed=True),
        "new@example.org": None,
    }
    before = list(Subscriber.objects.order_by("pk").values())

    answers = {address: sign_up_queries(client, address) for address in states}

    (response, queries), *others = answers.values()
    assert response.status_code == 303
    for other_response, other_queries in others:
        assert other_response.status_code == response.status_code
        assert other_response["Location"] == response["Location"]
        assert other_queries == queries
    assert not any("newsletter_subscriber" in sql for sql in queries)
    assert list(Subscriber.objects.order_by("pk").values()) == before
    assert mailoutbox == []
    queued = DBTaskResult.objects.order_by("enqueued_at", "pk")
    assert [task.task_path for task in queued] == ["newsletter.tasks.start_subscription"] * 4


def test_the_queued_sign_up_decides_as_the_page_would_have(
    client, queued_tasks, mailoutbox, django_capture_on_commit_callbacks, settings
):
    SubscriberFactory(email="confirmed@example.org", confirmed=True)
    client.post(SUBSCRIBE, {"email": "confirmed@example.org", "source": "/"})
    client.post(SUBSCRIBE, {"email": "new@example.org", "source": "/about/"})
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

    with django_capture_on_commit_callbacks(execute=True):  # the worker's turn
        for queued in DBTaskResult.objects.order_by("enqueued_at", "pk"):
            tasks.start_subscription.call(*queued.args_kwargs["args"])

    assert [message.to for message in mailoutbox] == [["new@example.org"]]
    newcomer = Subscriber.objects.get(email="new@example.org")
    assert newcomer.status == Subscriber.Status.PENDING
    assert newcomer.consent_source == "/about/"
