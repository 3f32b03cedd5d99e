"""Privacy requests find an address's data by its key (core/addresses.py): a look-alike
address, confirmed from its own mailbox, gets nothing of the person it imitates."""

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from core.addresses import DOMAIN_INVALID
from newsletter.models import Subscriber
from privacy.models import PrivacyRequest
from tests.addresses import LOOKALIKES, SAME_PERSON
from tests.factories.comments import CommentFactory
from tests.factories.newsletter import SubscriberFactory
from tests.factories.privacy import PrivacyRequestFactory

pytestmark = pytest.mark.django_db


def held_for(address):
    """What the site holds about `address`: a comment, a subscription, an earlier request."""
    return {
        "comment": CommentFactory(approved=True, author_email=address, author_name="Dana"),
        "subscriber": SubscriberFactory(email=address, confirmed=True),
        "request": PrivacyRequestFactory(email=address, status=PrivacyRequest.Status.DONE),
    }


def ask_and_confirm(client, after_commit, mailoutbox, email, kind):
    """The reader's way: the form, then the button behind the link mailed to `email`."""
    with after_commit():
        response = client.post(reverse("privacy:request"), {"email": email, "kind": kind})
    assert response.status_code == 303
    [message] = mailoutbox
    (link,) = re.findall(r"https?://\S+(/privacy/confirm/\S+/)", message.body)
    return message, client.post(link)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.mark.parametrize(("person", "lookalike"), LOOKALIKES)
def test_an_export_for_a_lookalike_address_holds_nothing_of_the_other_person(
    client, after_commit, mailoutbox, person, lookalike
):
    held_for(person)

    message, response = ask_and_confirm(client, after_commit, mailoutbox, lookalike, "export")

    assert message.to != [person]
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["comments"] == []
    assert data["newsletter_subscriptions"] == []
    assert [request["status"] for request in data["privacy_requests"]] == ["awaiting"]


@pytest.mark.parametrize(("person", "lookalike"), LOOKALIKES)
def test_an_erasure_for_a_lookalike_address_leaves_the_other_person_alone(
    client, after_commit, mailoutbox, person, lookalike
):
    held = held_for(person)

    _, response = ask_and_confirm(client, after_commit, mailoutbox, lookalike, "erase")

    assert response.status_code == 200
    comment = Comment.objects.get(pk=held["comment"].pk)
    assert (comment.author_name, comment.author_email) == ("Dana", person)
    assert Subscriber.objects.filter(pk=held["subscriber"].pk).exists()
    assert PrivacyRequest.objects.get(pk=held["request"].pk).email == person


@pytest.mark.parametrize(("person", "typed"), SAME_PERSON)
def test_an_export_finds_the_address_however_it_was_typed(
    client, after_commit, mailoutbox, person, typed
):
    held_for(person)

    _, response = ask_and_confirm(client, after_commit, mailoutbox, typed, "export")

    data = json.loads(response.content)
    assert [comment["name"] for comment in data["comments"]] == ["Dana"]
    assert len(data["newsletter_subscriptions"]) == 1
    assert len(data["privacy_requests"]) == 2  # the earlier one and this one


@pytest.mark.parametrize(("person", "typed"), SAME_PERSON)
def test_an_erasure_finds_the_address_however_it_was_typed(
    client, after_commit, mailoutbox, person, typed
):
    held = held_for(person)

    ask_and_confirm(client, after_commit, mailoutbox, typed, "erase")

    comment = Comment.objects.get(pk=held["comment"].pk)
    assert (comment.author_name, comment.author_email) == ("Anonymous", "")
    assert not Subscriber.objects.filter(pk=held["subscriber"].pk).exists()
    assert "•••" in PrivacyRequest.objects.get(pk=held["request"].pk).email


def test_a_domain_idna_refuses_is_refused_at_the_field(client, mailoutbox):
    response = client.post(
        reverse("privacy:request"), {"email": "dana@ſam.example.org", "kind": "export"}
    )

    assert response.status_code == 400
    assert DOMAIN_INVALID in response.content.decode()
    assert not PrivacyRequest.objects.exists()
    assert mailoutbox == []


def test_the_export_command_tells_lookalikes_apart():
    held_for("kate@example.org")
    out = StringIO()

    call_command("privacy_export", "\u212aate@example.org", stdout=out)

    assert json.loads(out.getvalue())["comments"] == []


def test_the_commands_refuse_a_domain_idna_refuses():
    for command in ("privacy_export", "privacy_erase"):
        with pytest.raises(CommandError, match="is not an email address"):
            call_command(command, "dana@ſam.example.org", stdout=StringIO())
    assert not PrivacyRequest.objects.exists()


# --- The same work for every address ---------------------------------------------------

LITERAL = re.compile(r"'(?:[^']|'')*'|\b\d+\b")


def test_privacy_page_does_the_same_work_whether_or_not_we_hold_anything(
    client, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    held_for("known@example.org")
    statements = {}

    for address in ("known@example.org", "stranger@example.org"):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = client.post(reverse("privacy:request"), {"email": address, "kind": "erase"})
        assert response.status_code == 303
        statements[address] = [LITERAL.sub("?", q["sql"]) for q in queries.captured_queries]

    assert statements["known@example.org"] == statements["stranger@example.org"]
    assert mailoutbox == []  # the worker mails the links
    queued = DBTaskResult.objects.order_by("enqueued_at", "pk")
    assert [task.task_path for task in queued] == ["privacy.tasks.send_confirmation"] * 2
