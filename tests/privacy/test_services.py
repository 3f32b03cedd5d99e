"""Export and erasure of everything held about an address, and their record."""

import json

import pytest
from django.core.management import CommandError, call_command

from comments.models import Comment
from newsletter.models import Delivery, Subscriber
from privacy import services
from privacy.models import PrivacyRequest
from tests.factories.privacy import PrivacyRequestFactory
from tests.privacy.conftest import ADDRESS

pytestmark = pytest.mark.django_db


def test_export_holds_comments_with_articles_subscription_consent_and_deliveries(held_data):
    request = PrivacyRequestFactory(email=ADDRESS)

    data = services.privacy_export(request=request)

    assert [c["comment"] for c in data["comments"]] == ["First thoughts", "Held one"]
    first = data["comments"][0]
    assert first["article"] == "Drones over the Black Sea"
    assert first["article_url"].endswith(held_data["comments"][0].article.get_absolute_url())
    assert (first["name"], first["website"], first["ip_address"], first["user_agent"]) == (
        "Pat", "https://pat.example/", "203.0.113.9", "Firefox",
    )  # fmt: skip
    (subscription,) = data["newsletter_subscriptions"]
    assert subscription["status"] == "confirmed"
    assert subscription["consent_given_on"] == "/2024/01/01/x/"
    assert subscription["consent_given_at"] and subscription["confirmed_at"]
    assert [d["status"] for d in subscription["deliveries"]] == ["sent"]
    assert "A reply" not in json.dumps(data)  # someone else's comment
    json.dumps(data)  # JSON-ready as it is


def test_export_is_logged_on_its_request(held_data):
    request = PrivacyRequestFactory(email=ADDRESS)

    services.privacy_export(request=request)

    request.refresh_from_db()
    assert request.status == PrivacyRequest.Status.DONE
    assert request.completed_at is not None
    assert request.result == {"comments": 2, "newsletter_subscriptions": 1, "deliveries": 1}


def test_erasure_anonymises_comments_and_removes_subscription_and_deliveries(held_data):
    request = PrivacyRequestFactory(email=ADDRESS, erase=True)

    result = services.privacy_erase(request=request)

    first = Comment.objects.get(pk=held_data["comments"][0].pk)
    assert first.body == "First thoughts"
    assert (first.author_name, first.author_email, first.author_url) == ("Anonymous", "", "")
    assert (first.ip_address, first.user_agent, first.author_token_digest) == ("", "", "")
    assert Comment.objects.get(pk=held_data["reply"].pk).parent_id == first.pk
    assert not Comment.objects.filter(author_email__in=[ADDRESS, ADDRESS.lower()]).exists()
    assert not Subscriber.objects.filter(pk=held_data["subscriber"].pk).exists()
    assert not Delivery.objects.filter(pk=held_data["delivery"].pk).exists()
    assert Subscriber.objects.filter(pk=held_data["other_subscriber"].pk).exists()
    assert result == {
        "comments_anonymised": 2,
        "newsletter_subscriptions_deleted": 1,
        "deliveries_deleted": 1,
    }


def test_erased_name_leaves_the_kept_article_page_at_once(
    page_cache, django_capture_on_commit_callbacks
):
    from django.test import Client

    from tests.factories.comments import CommentFactory

    comment = CommentFactory(
        approved=True, author_name="Pat Quill", author_email=ADDRESS, body="Signed words"
    )
    url = comment.article.get_absolute_url()
    assert "Pat Quill" in Client().get(url).text  # the page and its thread are kept now

    with django_capture_on_commit_callbacks(execute=True):
        services.privacy_erase(request=PrivacyRequestFactory(email=ADDRESS, erase=True))

    page = Client().get(url).text
    assert "Pat Quill" not in page
    assert "Signed words" in page
    assert "Anonymous" in page


def test_erasure_can_delete_the_comments_instead(held_data):
    request = PrivacyRequestFactory(email=ADDRESS, erase=True, delete_comments=True)

    result = services.privacy_erase(request=request)

    assert not Comment.objects.filter(pk__in=[c.pk for c in held_data["comments"]]).exists()
    assert Comment.objects.get(pk=held_data["reply"].pk).parent_id is None
    assert result["comments_deleted"] == 2


def test_erasure_masks_the_address_in_every_request_about_it_but_keeps_the_record(held_data):
    earlier_export = PrivacyRequestFactory(email="person@example.NET")
    services.privacy_export(request=earlier_export)
    request = PrivacyRequestFactory(email=ADDRESS, erase=True)

    services.privacy_erase(request=request)

    for row in PrivacyRequest.objects.all():
        assert row.email == "P•••@example.net"
        assert row.status == PrivacyRequest.Status.DONE
    assert PrivacyRequest.objects.for_address(ADDRESS).count() == 2
    assert services.personal_data(ADDRESS)["comments"] == []


def test_erasure_run_twice_changes_nothing_the_second_time(held_data):
    request = PrivacyRequestFactory(email=ADDRESS, erase=True)
    first = services.privacy_erase(request=request)

    again = services.privacy_erase(request=request)

    assert again == first


def test_export_command_prints_json_and_logs_a_request(held_data, capsys):
    call_command("privacy_export", ADDRESS)

    data = json.loads(capsys.readouterr().out)
    assert len(data["comments"]) == 2
    request = PrivacyRequest.objects.get()
    assert (request.source, request.kind, request.status) == ("command", "export", "done")


def test_erase_command_deletes_comments_when_asked_and_logs_a_request(held_data, capsys):
    call_command("privacy_erase", ADDRESS, "--delete-comments")

    assert "comments deleted: 2" in capsys.readouterr().out
    request = PrivacyRequest.objects.get()
    assert (request.source, request.kind, request.comments) == ("command", "erase", "delete")
    assert request.result["newsletter_subscriptions_deleted"] == 1


def test_commands_refuse_what_is_not_an_address(db):
    with pytest.raises(CommandError, match="is not an email address"):
        call_command("privacy_erase", "not-an-address")
    assert not PrivacyRequest.objects.exists()


def test_erased_commenter_no_longer_shows_on_the_article_page(client, article, held_data):
    assert "pat.example" in client.get(article.get_absolute_url()).content.decode()

    services.privacy_erase(request=PrivacyRequestFactory(email=ADDRESS, erase=True))

    html = client.get(article.get_absolute_url()).content.decode()
    assert "Pat" not in html and "pat.example" not in html
    assert '<b class="comment-author">Anonymous</b>' in html
