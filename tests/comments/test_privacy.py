"""A commenter's email address is never shown to, or derivable by, other readers."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse

from comments import forms, services
from comments.models import Comment
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db

EMAILS = ["Secret.Person@Example.net", "quiet-reply@example.org", "held-one@example.com"]


def fingerprints(email: str) -> list[str]:
    """The address and the hex digests a Gravatar-style avatar URL would carry."""
    found = []
    for variant in {email, email.lower(), email.strip().lower()}:
        found.append(variant)
        found.append(hashlib.md5(variant.encode()).hexdigest())  # noqa: S324
        found.append(hashlib.sha256(variant.encode()).hexdigest())
    return found


def test_no_public_response_reveals_a_commenters_email(article, post_url, valid_data):
    author = Client()
    data = {**valid_data, "url": "https://site.example/", forms.CONSENT_FIELD: "on"}
    author.post(post_url(article), {**data, "email": EMAILS[0]})
    first = Comment.objects.get()
    services.comment_approve(comment=first)
    author.post(
        post_url(article),
        {**data, "email": EMAILS[1], "comment": "A reply", "comment_parent": str(first.pk)},
    )
    services.comment_approve(comment=Comment.objects.latest("pk"))
    Client().post(post_url(article), {**data, "email": EMAILS[2], "comment": "Held one"})
    CommentFactory(article=article, approved=True, author_email="factory@example.net")
    assert Comment.objects.approved().count() == 3

    reader = Client()
    responses = [
        reader.get(reverse("blog:article-list")),
        reader.get(article.get_absolute_url()),
        reader.get(f"{article.get_absolute_url()}?replytocom={first.pk}"),
        reader.post(post_url(article), {**valid_data, "email": ""}),  # an error page
        reader.post(post_url(article), {**valid_data, "email": "reader@example.net"}),
        reader.get(article.get_absolute_url()),  # the reader's own view after posting
        reader.get("/no-such-page/"),
    ]

    page = responses[1].content.decode()
    assert "A reply" in page and "Held one" not in page
    assert "gravatar" not in page.lower()
    for response in responses:
        public = response.content.decode() + "".join(
            f"{name}: {value}\n" for name, value in response.headers.items()
        )
        for email in [*EMAILS, "factory@example.net"]:
            for fingerprint in fingerprints(email):
                assert fingerprint not in public, (response.request["PATH_INFO"], email)
