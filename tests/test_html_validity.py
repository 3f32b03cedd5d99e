"""Every kind of reader page is valid HTML5 for the W3C Nu validator (vnu.jar from npm)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from blog import importers
from newsletter.tokens import confirm_token, unsubscribe_token
from tests.factories.blog import (
    ArticleFactory,
    CategoryFactory,
    RelatedLinkFactory,
    TagFactory,
    UserFactory,
)
from tests.factories.comments import CommentFactory
from tests.factories.newsletter import SubscriberFactory

VNU_JAR = Path(__file__).resolve().parent.parent / "node_modules/vnu-jar/build/dist/vnu.jar"

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("java") is None,
        reason="needs Java for the Nu validator: apt-get install -y default-jre-headless",
    ),
]


@pytest.fixture
def site_pages(client, seed_path, settings):
    """(name, response) for every kind of page a reader can see, the site filled in."""
    settings.COMMENT_FLOOD_SECONDS = 0
    article = importers.import_path(seed_path).article
    author = UserFactory(username="reporter", first_name="Rita", is_staff=True)
    article.author = author
    diplomacy = CategoryFactory(name="Diplomacy", nav_order=1)  # a section in the header
    article.categories.add(diplomacy)
    # The front page: the seed article leads, these follow as teasers.
    ArticleFactory.create_batch(2, author=UserFactory(first_name="Jane"), categories=[diplomacy])
    article.tags.add(TagFactory(name="Türkiye"))
    article.save()
    RelatedLinkFactory(article=article, after_paragraph=3)
    parent = CommentFactory(article=article, approved=True, author_url="https://example.org")
    CommentFactory(article=article, approved=True, parent=parent, depth=2)
    day = article.permalink_date
    pending = SubscriberFactory()

    pages = {
        "home": client.get(reverse("blog:article-list")),
        "article": client.get(article.get_absolute_url()),
        "reply": client.get(article.get_absolute_url(), {"replytocom": parent.pk}),
        "comment errors": client.post(
            reverse("comments:post", args=[article.pk]), {"comment": "Text", "email": "bad"}
        ),
        "search": client.get(reverse("blog:search"), {"s": "Türkiye trade"}),
        "search empty": client.get(reverse("blog:search"), {"s": ""}),
        "category": client.get(reverse("blog:category", args=["diplomacy"])),
        "tag": client.get(reverse("blog:tag", args=["turkiye"])),
        "author": client.get(reverse("blog:author", args=["reporter"])),
        "month": client.get(
            reverse("blog:month-archive", kwargs={"year": day.year, "month": f"{day.month:02d}"})
        ),
        "subscribe errors": client.post(reverse("newsletter:subscribe"), {"email": "nope"}),
        "check inbox": client.get(reverse("newsletter:check-inbox")),
        "confirm": client.get(reverse("newsletter:confirm", args=[confirm_token(pending)])),
        "unsubscribe": client.get(
            reverse("newsletter:unsubscribe", args=[unsubscribe_token(pending)])
        ),
        "bad link": client.get(reverse("newsletter:confirm", args=["tampered"])),
        "404": client.get("/no/such/page/"),
    }
    for name, response in pages.items():
        assert response["Content-Type"].startswith("text/html"), name
    return pages


def test_reader_pages_are_valid_html(site_pages, tmp_path):
    files = []
    for name, response in site_pages.items():
        path = tmp_path / f"{name.replace(' ', '-')}.html"
        path.write_bytes(response.content)
        files.append(str(path))

    # The arguments are ours; java is whatever the machine's PATH finds.
    command = ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "gnu", *files]
    result = subprocess.run(  # noqa: S603
        command,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stderr or result.stdout
