"""The "Leave a Reply" form: what a reader sees, sends, and gets back."""

import pytest
from django.test import Client

from comments import forms
from comments.models import Comment

pytestmark = pytest.mark.django_db


def post(client, url, data, **extra):
    return client.post(url, data, **extra)


def test_article_page_shows_leave_a_reply_with_wordpress_fields(client, article):
    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "Leave a Reply" in page
    assert "Your email address will not be published." in page
    assert 'Required fields are marked <span class="required">*</span>' in page
    for name in ("comment", "author", "email", "url", "comment_parent"):
        assert f'name="{name}"' in page
    assert 'Comment <span class="required">*</span>' in page
    assert 'Name <span class="required">*</span>' in page
    assert 'Email <span class="required">*</span>' in page
    assert '<label for="url">Website</label>' in page
    assert forms.CONSENT_LABEL in page
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("comment", forms.COMMENT_REQUIRED),
        ("author", forms.NAME_REQUIRED),
        ("email", forms.EMAIL_REQUIRED),
    ],
)
def test_missing_required_field_shows_error_and_keeps_typed_text(
    client, article, post_url, valid_data, missing, message
):
    data = {**valid_data, missing: "", "url": "https://ada.example.net/"}

    response = post(client, post_url(article), data)

    assert response.status_code == 400
    assert response.context["comment_form"].errors[missing] == [message]
    page = response.content.decode()
    assert message in page
    assert article.title in page  # the article page again, not a bare form
    for field, value in data.items():
        if value and field != "comment_parent":
            assert value in page
    assert not Comment.objects.exists()


def test_bad_email_is_refused_at_the_field(client, article, post_url, valid_data):
    response = post(client, post_url(article), {**valid_data, "email": "ada-at-example"})

    assert response.status_code == 400
    assert response.context["comment_form"].errors["email"] == [forms.EMAIL_INVALID]
    assert "ada-at-example" in response.content.decode()
    assert "A thoughtful remark about logistics." in response.content.decode()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.net/", "data:text/html,x"])
def test_website_must_be_http_or_https(client, article, post_url, valid_data, url):
    response = post(client, post_url(article), {**valid_data, "url": url})

    assert response.status_code == 400
    assert response.context["comment_form"].errors["url"] == [forms.URL_INVALID]
    assert not Comment.objects.exists()


def test_website_without_scheme_is_read_as_https(client, article, post_url, valid_data):
    post(client, post_url(article), {**valid_data, "url": "ada.example.net"})

    assert Comment.objects.get().author_url == "https://ada.example.net"


@pytest.mark.parametrize(
    ("field", "length", "message"),
    [
        ("comment", 65_526, forms.COMMENT_TOO_LONG),
        ("author", 246, forms.NAME_TOO_LONG),
        ("email", 101, forms.EMAIL_TOO_LONG),
        ("url", 201, forms.URL_TOO_LONG),
    ],
)
def test_too_long_fields_are_refused_with_a_clear_error(
    client, article, post_url, valid_data, field, length, message
):
    value = {
        "comment": "x" * length,
        "author": "n" * length,
        "email": "e" * (length - len("@example.net")) + "@example.net",
        "url": "https://example.net/" + "p" * (length - len("https://example.net/")),
    }[field]

    response = post(client, post_url(article), {**valid_data, field: value})

    assert response.status_code == 400
    assert message in response.context["comment_form"].errors[field]
    assert not Comment.objects.exists()


def test_longest_allowed_comment_is_stored(client, article, post_url, valid_data):
    response = post(client, post_url(article), {**valid_data, "comment": "x" * 65_525})

    assert response.status_code == 303
    assert len(Comment.objects.get().body) == 65_525


def test_valid_comment_redirects_to_it_with_see_other(client, article, post_url, valid_data):
    response = post(client, post_url(article), valid_data)

    comment = Comment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.author_name == "Ada Reader"
    assert comment.author_email == "ada@example.net"
    assert comment.body == "A thoughtful remark about logistics."


def test_ip_address_and_user_agent_are_kept_for_editors(client, article, post_url, valid_data):
    post(client, post_url(article), valid_data, REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="UA/1")

    comment = Comment.objects.get()
    assert comment.ip_address == "198.51.100.7"
    assert comment.user_agent == "UA/1"


def test_proxy_header_is_used_only_when_trusted(client, article, post_url, valid_data, settings):
    headers = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    post(client, post_url(article), valid_data, **headers)
    settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    post(client, post_url(article), {**valid_data, "comment": "Second."}, **headers)

    assert list(Comment.objects.order_by("pk").values_list("ip_address", flat=True)) == [
        "10.0.0.1",
        "203.0.113.9",
    ]


def test_posting_without_csrf_token_is_refused(article, post_url, valid_data):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(post_url(article), valid_data)

    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_posting_with_csrf_token_from_the_page_works(article, post_url, valid_data):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(article.get_absolute_url())
    token = page.context["csrf_token"]

    response = browser.post(post_url(article), {**valid_data, "csrfmiddlewaretoken": str(token)})

    assert response.status_code == 303
    assert Comment.objects.count() == 1


def test_get_on_the_post_url_is_not_allowed(client, article, post_url):
    assert client.get(post_url(article)).status_code == 405


def test_comment_on_draft_article_is_not_found(client, post_url, valid_data):
    from tests.factories.blog import ArticleFactory

    draft = ArticleFactory(draft=True)

    assert post(client, post_url(draft), valid_data).status_code == 404
    assert not Comment.objects.exists()


def test_honeypot_filled_is_refused_and_nothing_stored(client, article, post_url, valid_data):
    response = post(client, post_url(article), {**valid_data, forms.HONEYPOT_FIELD: "spam"})

    assert response.status_code == 400
    assert response.context["comment_form"].non_field_errors() == [forms.HONEYPOT_FILLED]
    page = response.content.decode()
    assert forms.HONEYPOT_FILLED in page
    assert "A thoughtful remark about logistics." in page
    assert 'value="spam"' not in page  # the trap comes back empty
    assert not Comment.objects.exists()


def test_honeypot_is_present_and_empty_on_the_page(client, article):
    page = client.get(article.get_absolute_url()).content.decode()

    assert f'name="{forms.HONEYPOT_FIELD}"' in page
    assert 'aria-hidden="true"' in page


def test_new_comment_is_shown_only_to_its_author_as_awaiting_moderation(
    client, other_client, article, post_url, valid_data
):
    post(client, post_url(article), valid_data)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING

    own = client.get(article.get_absolute_url()).content.decode()
    other = other_client.get(article.get_absolute_url()).content.decode()

    assert f'id="comment-{comment.pk}"' in own
    assert "Your comment is awaiting moderation." in own
    assert "A thoughtful remark about logistics." in own
    assert f'id="comment-{comment.pk}"' not in other
    assert "A thoughtful remark about logistics." not in other
    assert "awaiting moderation" not in other


def test_forged_pending_cookie_shows_nothing(client, article, valid_data, post_url):
    from tests.factories.comments import CommentFactory

    held = CommentFactory(article=article, body="Secret pending text")
    client.cookies["comment_pending"] = f"[{held.pk}]"

    assert "Secret pending text" not in client.get(article.get_absolute_url()).content.decode()


def test_approved_comment_is_shown_to_everyone(other_client, article):
    from tests.factories.comments import CommentFactory

    CommentFactory(article=article, approved=True, author_name="Bo", body="Seen by all")
    CommentFactory(article=article, body="Still held")

    page = other_client.get(article.get_absolute_url()).content.decode()

    assert "Seen by all" in page
    assert "Bo" in page
    assert "Still held" not in page
    assert "1 comment on" in page


def test_author_website_link_is_nofollow_ugc(other_client, article):
    from tests.factories.comments import CommentFactory

    CommentFactory(
        article=article, approved=True, author_name="Bo", author_url="https://bo.example/"
    )

    page = other_client.get(article.get_absolute_url()).content.decode()

    assert '<a href="https://bo.example/" rel="external nofollow ugc" class="url">Bo</a>' in page
