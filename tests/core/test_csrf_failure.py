import pytest
from django.test import Client
from django.urls import reverse

from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db


def test_comment_sent_without_csrf_cookie_gets_the_sites_page_with_the_text_back():
    article = ArticleFactory()
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        reverse("comments:post", args=[article.pk]),
        {"comment": "My careful <b>reply</b>", "author": "Ann", "email": "ann@example.org"},
    )

    html = response.content.decode()
    assert response.status_code == 403
    assert "Your form could not be sent" in html
    assert "My careful &lt;b&gt;reply&lt;/b&gt;</textarea>" in html
