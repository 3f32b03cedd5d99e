"""Editors are emailed after commit; nothing is ever sent to a commenter's address."""

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from comments import services
from comments.models import Comment
from tests.factories.blog import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editors(db):
    group = Group.objects.get(name="Editors")
    first = UserFactory(email="ed1@newsroom.example")
    second = UserFactory(email="ed2@newsroom.example")
    nameless = UserFactory(email="")
    retired = UserFactory(email="gone@newsroom.example", is_active=False)
    for user in (first, second, nameless, retired):
        user.groups.add(group)
    UserFactory(email="reader@newsroom.example")  # not an editor
    return ["ed1@newsroom.example", "ed2@newsroom.example"]


def post(client, url, data, callbacks):
    with callbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 303
    return Comment.objects.latest("pk")


def test_held_comment_emails_the_editors_with_links_to_act(
    client, article, post_url, valid_data, editors, mailoutbox,
    django_capture_on_commit_callbacks, settings,
):  # fmt: skip
    comment = post(client, post_url(article), valid_data, django_capture_on_commit_callbacks)

    (message,) = mailoutbox
    assert sorted(message.to) == editors
    assert message.subject == f'[Broadsheet] Please moderate: "{article.title}"'
    # The link leads to a page with the comment and one Approve button.
    admin_url = settings.SITE_URL + reverse("admin:comments_comment_approve", args=[comment.pk])
    assert admin_url in message.body
    assert "A thoughtful remark about logistics." in message.body
    assert "ada@example.net" in message.body  # editors see the address
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert admin_url in html


def test_published_comment_emails_the_editors(
    client, article, post_url, valid_data, editors, mailoutbox,
    django_capture_on_commit_callbacks, discussion,
):  # fmt: skip
    discussion.is_previous_approval_required = False
    discussion.save()

    comment = post(client, post_url(article), valid_data, django_capture_on_commit_callbacks)

    (message,) = mailoutbox
    assert message.subject == f'[Broadsheet] Comment: "{article.title}"'
    assert f"#comment-{comment.pk}" in message.body


def test_mail_waits_for_the_commit(client, article, post_url, valid_data, editors, mailoutbox,
                                   django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(post_url(article), valid_data)

    assert mailoutbox == []
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    ("setting", "needs_approval"),
    [("notify_on_held", True), ("notify_on_published", False)],
)
def test_notifications_can_be_turned_off(
    client, article, post_url, valid_data, editors, mailoutbox,
    django_capture_on_commit_callbacks, discussion, setting, needs_approval,
):  # fmt: skip
    setattr(discussion, setting, False)
    discussion.is_previous_approval_required = needs_approval
    discussion.save()

    post(client, post_url(article), valid_data, django_capture_on_commit_callbacks)

    assert mailoutbox == []


def test_trashed_comment_is_not_announced(
    client, article, post_url, valid_data, editors, mailoutbox,
    django_capture_on_commit_callbacks, discussion,
):  # fmt: skip
    discussion.disallowed_keys = "logistics"
    discussion.save()

    post(client, post_url(article), valid_data, django_capture_on_commit_callbacks)

    assert mailoutbox == []


def test_managers_are_told_when_no_editor_has_an_address(
    client, article, post_url, valid_data, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.MANAGERS = [("Desk", "desk@newsroom.example")]

    post(client, post_url(article), valid_data, django_capture_on_commit_callbacks)

    (message,) = mailoutbox
    assert message.to == ["desk@newsroom.example"]


def test_no_mail_ever_goes_to_the_commenters_address(
    client, article, post_url, valid_data, editors, mailoutbox,
    django_capture_on_commit_callbacks, discussion,
):  # fmt: skip
    for index, needs_approval in enumerate((True, False)):
        discussion.is_previous_approval_required = needs_approval
        discussion.save()
        data = {**valid_data, "comment": f"Comment {index}"}
        post(client, post_url(article), data, django_capture_on_commit_callbacks)

    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert "ada@example.net" not in message.recipients()


# --- The database queue (production's TASKS_BACKEND=database) -----------------------


@pytest.fixture
def queued_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_comment_ids():
    return [task.args_kwargs["args"][0] for task in DBTaskResult.objects.all()]


def test_queued_notification_is_written_after_the_comment(
    client, article, post_url, valid_data, queued_tasks, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(post_url(article), valid_data)

    assert response.status_code == 303
    comment = Comment.objects.get()
    (task,) = DBTaskResult.objects.all()
    assert task.task_path == "comments.tasks.comment_notify_editors"
    assert queued_comment_ids() == [comment.pk]
    assert mailoutbox == []  # the worker sends it


def test_nothing_is_queued_when_the_callers_transaction_rolls_back(
    article, queued_tasks, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.comment_submit(
            article=article, author_name="Ada", author_email="ada@example.net", body="Hm."
        )
        raise RuntimeError("the caller's transaction fails after the submit")

    assert not Comment.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_refused_or_trashed_comments_queue_nothing(
    client, article, post_url, valid_data, queued_tasks, discussion,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        client.post(post_url(article), valid_data)
        client.post(post_url(article), valid_data)  # the duplicate, refused
        discussion.disallowed_keys = "casino"
        discussion.save()
        client.post(post_url(article), {**valid_data, "comment": "Visit my casino."})

    assert sorted(Comment.objects.values_list("status", flat=True)) == ["pending", "trash"]
    assert queued_comment_ids() == [Comment.objects.get(status="pending").pk]
