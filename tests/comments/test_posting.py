"""The "Leave a Reply" form: what a reader sees, sends, and gets back."""

import re

import pytest
from django.test import Client

from comments import forms
from comments.models import Comment
from tests.factories.blog import ArticleFactory
from tests.factories.comments import CommentFactory

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
    for name, autocomplete in (("author", "name"), ("email", "email"), ("url", "url")):
        assert re.search(f'<input [^>]*name="{name}" [^>]*autocomplete="{autocomplete}"', page)


def test_comment_form_carries_nothing_of_the_reader(client, article):
    """No token, no nonce: every reader gets the same form (cross-site posts are refused
    by their Fetch Metadata instead, core.crossorigin)."""
    page = client.get(article.get_absolute_url()).content.decode()
    form = page[page.index('<form action="/comments/') : page.index("</form>")]

    assert "csrfmiddlewaretoken" not in form
    assert "nonce" not in form


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


def test_refused_post_lists_what_to_fix_at_the_top_of_the_form(
    client, article, post_url, valid_data
):
    data = {**valid_data, "author": "", "email": "not-an-address"}

    page = client.post(post_url(article), data).content.decode()

    assert f'action="{post_url(article)}#respond"' in page  # the browser lands at the form
    form = page[page.index('id="commentform"') :]
    summary = form[: form.index("</div>")]
    assert form.index('id="comment-errors"') < form.index('class="comment-notes"')
    assert 'role="alert"' in summary
    assert 'tabindex="-1"' in summary  # focused by static/js/comment-form.js
    assert "Your comment could not be posted" in summary
    assert f'<a href="#author">Name: {forms.NAME_REQUIRED}</a>' in summary
    assert f'<a href="#email">Email: {forms.EMAIL_INVALID}</a>' in summary
    assert "#comment" not in summary


def test_refused_field_is_marked_invalid_and_described_by_its_error(
    client, article, post_url, valid_data
):
    page = client.post(post_url(article), {**valid_data, "email": ""}).content.decode()

    email = re.search(r'<input type="email" name="email"[^>]* id="email">', page).group()
    assert 'aria-invalid="true"' in email
    assert 'aria-describedby="email_error"' in email
    assert f'<ul class="errorlist" id="email_error"><li>{forms.EMAIL_REQUIRED}</li></ul>' in page
    author = re.search(r'<input type="text" name="author"[^>]* id="author">', page).group()
    assert "aria-invalid" not in author


def test_form_level_refusal_is_listed_without_a_link(client, article, post_url, valid_data):
    page = client.post(post_url(article), {**valid_data, "comment_parent": "abc"}).content.decode()

    summary = page[page.index('id="comment-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert f"<li>{forms.PARENT_INVALID}</li>" in summary


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


def test_valid_comment_redirects_to_it_at_an_address_of_the_posters_own(
    client, article, post_url, valid_data
):
    response = post(client, post_url(article), valid_data)

    comment = Comment.objects.get()
    assert response.status_code == 303
    location = response["Location"]
    assert location.startswith(f"{article.get_absolute_url()}?unapproved={comment.pk}&")
    assert re.search(r"&moderation-hash=[0-9a-f]{64}#", location)
    assert location.endswith(f"#comment-{comment.pk}")
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


def test_posting_needs_no_csrf_token(article, post_url, valid_data):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(post_url(article), valid_data)

    assert response.status_code == 303
    assert Comment.objects.count() == 1


def test_opening_the_post_url_leads_to_the_article(client, article, post_url):
    """As after a refused post, when the address bar shows the form's address."""
    response = client.get(post_url(article))

    assert response.status_code == 302
    assert response["Location"] == article.get_absolute_url()


def test_other_methods_on_the_post_url_are_not_allowed(client, article, post_url):
    assert client.put(post_url(article)).status_code == 405


def test_comment_on_draft_article_is_not_found(client, post_url, valid_data):
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


def test_new_comment_is_shown_as_awaiting_moderation_where_its_poster_is_sent(
    client, other_client, article, post_url, valid_data
):
    location = post(client, post_url(article), valid_data)["Location"]
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING

    own = client.get(location).content.decode()
    article_page = client.get(article.get_absolute_url()).content.decode()
    other = other_client.get(article.get_absolute_url()).content.decode()

    assert f'id="comment-{comment.pk}"' in own
    assert "Your comment is awaiting moderation." in own
    assert "A thoughtful remark about logistics." in own
    # The article's own address is the same page for everyone, the poster included.
    for page in (article_page, other):
        assert f'id="comment-{comment.pk}"' not in page
        assert "A thoughtful remark about logistics." not in page
        assert "awaiting moderation" not in page


def test_approved_comment_is_shown_to_everyone(other_client, article):
    CommentFactory(article=article, approved=True, author_name="Bo", body="Seen by all")
    CommentFactory(article=article, body="Still held")

    page = other_client.get(article.get_absolute_url()).content.decode()

    assert "Seen by all" in page
    assert "Bo" in page
    assert "Still held" not in page
    assert "1 comment on" in page


def test_author_website_link_is_nofollow_ugc(other_client, article):
    CommentFactory(
        article=article, approved=True, author_name="Bo", author_url="https://bo.example/"
    )

    page = other_client.get(article.get_absolute_url()).content.decode()

    assert '<a href="https://bo.example/" rel="external nofollow ugc" class="url">Bo</a>' in page
