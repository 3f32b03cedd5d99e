"""The admin index's article panels (Scheduled, Drafts) show each user only the articles
the article admin would list for them: an author their own, an editor everyone's."""

import pytest
from django.urls import reverse

from tests.factories.blog import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db

INDEX_URL = reverse("admin:index")


@pytest.fixture
def desk():
    author = UserFactory(username="ann", first_name="Ann", last_name="Author", author=True)
    colleague = UserFactory(username="carl", first_name="Carl", last_name="Other", author=True)
    ArticleFactory(title="Ann's own draft", author=author, draft=True)
    ArticleFactory(title="Carl's secret draft", author=colleague, draft=True)
    ArticleFactory(title="Carl's embargoed story", author=colleague, scheduled=True)
    return author


def test_author_sees_only_their_own_drafts_and_scheduled(client, desk):
    client.force_login(desk)

    response = client.get(INDEX_URL)

    assert response.status_code == 200
    html = response.text
    assert "Ann&#x27;s own draft" in html
    assert "Carl&#x27;s secret draft" not in html
    assert "Carl&#x27;s embargoed story" not in html
    assert "Carl Other" not in html
    assert "Nothing is scheduled." in html


def test_editor_sees_everyones_drafts_and_scheduled(client, desk):
    client.force_login(UserFactory(editor=True))

    response = client.get(INDEX_URL)

    assert response.status_code == 200
    html = response.text
    assert "Ann&#x27;s own draft" in html
    assert "Carl&#x27;s secret draft" in html
    assert "Carl&#x27;s embargoed story" in html
