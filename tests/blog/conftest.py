import pytest

from blog.signals import article_published


@pytest.fixture
def published_signals():
    """The ids of the articles `article_published` announced, in order."""
    received = []

    def receiver(sender, article, **kwargs):
        received.append(article.pk)

    article_published.connect(receiver)
    yield received
    article_published.disconnect(receiver)
