import pytest

from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Erdogan vowed to enhance trade ties between Türkiye and Russia", None),
        ("Łódź port reopens", "lodz-port-reopens"),
        ("Straße der Einheit", "strasse-der-einheit"),
        ("Ørsted wins the tender", "orsted-wins-the-tender"),
        ("Trump's new administration", "trumps-new-administration"),
        ("Новости дня", "novosti-dnia"),
        ("!!!", "article"),
    ],
)
def test_slug_transliterates_the_title(title, slug):
    article = ArticleFactory(title=title)

    expected = slug or "erdogan-vowed-to-enhance-trade-ties-between-turkiye-and-russia"
    assert article.slug == expected


def test_slugs_stay_unique():
    first = ArticleFactory(title="Same title")
    second = ArticleFactory(title="Same title")

    assert (first.slug, second.slug) == ("same-title", "same-title-2")


def test_excerpt_comes_from_the_first_paragraph_unless_given():
    derived = ArticleFactory(body="<p>First <em>one</em>.</p><p>Second.</p>")
    given = ArticleFactory(body="<p>First.</p>", excerpt="Editor's summary")

    assert derived.excerpt == "First one."
    assert given.excerpt == "Editor's summary"
