"""Threaded replies: placement, the depth limit, and the Reply links with and without JS."""

from html.parser import HTMLParser

import pytest

from comments.models import Comment
from comments.services import PARENT_UNAVAILABLE
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db


class Outline(HTMLParser):
    """Where each comment stands on a page: the comment <li> it is nested in."""

    def __init__(self):
        super().__init__()
        self.items: list[str | None] = []  # the <li> elements open, innermost last
        self.within: dict[str, str | None] = {}

    def handle_starttag(self, tag, attrs):
        element_id = dict(attrs).get("id")
        if element_id and (tag == "li" or element_id == "respond"):
            self.within[element_id] = next((i for i in reversed(self.items) if i), None)
        if tag == "li":
            self.items.append(element_id)

    def handle_endtag(self, tag):
        if tag == "li":
            self.items.pop()


def outline(page: str) -> dict[str, str | None]:
    """Each comment's <li> id (and "respond", the form) → the id of the comment <li> it
    stands in, None at the top level."""
    parser = Outline()
    parser.feed(page)
    return parser.within


def reply(client, url, data, parent):
    response = client.post(url, {**data, "comment_parent": str(parent.pk)})
    assert response.status_code == 303, response.content.decode()[:1000]
    return Comment.objects.latest("pk")


def chain(article, length):
    comments = [CommentFactory(article=article, approved=True)]
    for _ in range(length - 1):
        comments.append(CommentFactory(article=article, approved=True, parent=comments[-1]))
    return comments


def test_reply_attaches_to_its_parent(client, article, post_url, valid_data):
    parent = CommentFactory(article=article, approved=True)

    child = reply(client, post_url(article), valid_data, parent)

    assert child.parent == parent
    assert child.depth == 2


def test_reply_to_a_comment_at_the_deepest_level_joins_that_level(
    client, article, post_url, valid_data
):
    comments = chain(article, 5)
    assert comments[-1].depth == 5

    child = reply(client, post_url(article), valid_data, comments[-1])

    assert child.depth == 5
    assert child.parent == comments[3]


def test_lower_depth_setting_moves_deep_replies_up(
    client, article, post_url, valid_data, discussion
):
    discussion.thread_depth = 3
    discussion.save()
    comments = chain(article, 5)  # made while the limit was higher

    child = reply(client, post_url(article), valid_data, comments[-1])

    assert child.depth == 3
    assert child.parent == comments[1]


def test_threading_off_makes_every_comment_top_level(
    client, article, post_url, valid_data, discussion
):
    discussion.is_threaded = False
    discussion.save()
    parent = CommentFactory(article=article, approved=True)

    child = reply(client, post_url(article), valid_data, parent)

    assert child.parent is None
    assert child.depth == 1
    assert "replytocom=" not in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize("state", ["pending", "other_article", "missing"])
def test_reply_to_an_unavailable_comment_is_refused(client, article, post_url, valid_data, state):
    parent_id = {
        "pending": lambda: CommentFactory(article=article).pk,
        "other_article": lambda: CommentFactory(approved=True).pk,
        "missing": lambda: 999_999,
    }[state]()

    response = client.post(post_url(article), {**valid_data, "comment_parent": str(parent_id)})

    assert response.status_code == 400
    assert PARENT_UNAVAILABLE in response.content.decode()
    assert "A thoughtful remark about logistics." in response.content.decode()
    assert not Comment.objects.filter(body=valid_data["comment"]).exists()


def test_thread_is_shown_in_reading_order_with_depth_classes(client, article):
    first = CommentFactory(article=article, approved=True, body="First")
    second = CommentFactory(article=article, approved=True, body="Second")
    first_reply = CommentFactory(article=article, approved=True, parent=first, body="Re first")
    CommentFactory(article=article, approved=True, parent=first_reply, body="Re re first")

    page = client.get(article.get_absolute_url()).content.decode()

    # The bodies as rendered: the article's random text may hold the word "First" too.
    order = [
        page.index(f"<p>{text}</p>") for text in ("First", "Re first", "Re re first", "Second")
    ]
    assert order == sorted(order)
    assert f'id="comment-{first_reply.pk}" class="comment depth-2"' in page
    assert f'id="comment-{second.pk}" class="comment depth-1"' in page
    assert "4 comments on" in page


def test_replies_are_nested_in_their_parents_item(client, article):
    first = CommentFactory(article=article, approved=True)
    first_reply = CommentFactory(article=article, approved=True, parent=first)
    second_reply = CommentFactory(article=article, approved=True, parent=first)
    deeper = CommentFactory(article=article, approved=True, parent=first_reply)
    other = CommentFactory(article=article, approved=True)

    page = client.get(article.get_absolute_url()).content.decode()

    assert page.count('<ol class="comment-list">') == 1
    assert outline(page) == {
        f"comment-{first.pk}": None,
        f"comment-{first_reply.pk}": f"comment-{first.pk}",
        f"comment-{deeper.pk}": f"comment-{first_reply.pk}",
        f"comment-{second_reply.pk}": f"comment-{first.pk}",
        f"comment-{other.pk}": None,
        "respond": None,
    }
    item = page[page.index(f'<li id="comment-{first_reply.pk}"') :]
    assert item.index('<ol class="children">') > item.index("</article>")


def test_replies_at_the_deepest_level_follow_their_parent_in_its_list(client, article, discussion):
    discussion.thread_depth = 3
    discussion.save()
    comments = chain(article, 5)  # made while the limit was higher

    page = client.get(article.get_absolute_url()).content.decode()

    ids = [f"comment-{comment.pk}" for comment in comments]
    within = outline(page)
    assert [within[i] for i in ids] == [None, ids[0], ids[1], ids[1], ids[1]]
    for comment in comments[2:]:
        assert f'id="comment-{comment.pk}" class="comment depth-3"' in page
    order = [page.index(f'<li id="{i}"') for i in ids]
    assert order == sorted(order)


def test_reply_to_a_hidden_comment_stands_at_the_top_level(client, article):
    held = CommentFactory(article=article, body="Held parent")
    orphan = CommentFactory(article=article, approved=True, parent=held, body="Visible reply")

    page = client.get(article.get_absolute_url()).content.decode()

    assert "Held parent" not in page
    assert f'id="comment-{orphan.pk}" class="comment depth-1"' in page


def test_reply_link_works_without_javascript(client, article):
    parent = CommentFactory(article=article, approved=True, author_name="Bo")
    page = client.get(article.get_absolute_url()).content.decode()
    href = f"{article.get_absolute_url()}?replytocom={parent.pk}#respond"
    assert f'href="{href}"' in page

    reply_page = client.get(f"{article.get_absolute_url()}?replytocom={parent.pk}")

    assert reply_page.status_code == 200
    html = reply_page.content.decode()
    assert 'Leave a Reply<span id="reply-to-name"> to Bo</span>' in html
    assert f'name="comment_parent" value="{parent.pk}"' in html
    cancel = f'id="cancel-comment-reply-link" href="{article.get_absolute_url()}#respond">'
    assert f"{cancel}Cancel reply</a>" in html
    assert html.count('id="respond"') == 1


def test_reply_form_stands_under_the_comment_above_its_replies(client, article):
    parent = CommentFactory(article=article, approved=True, author_name="Bo")
    child = CommentFactory(article=article, approved=True, parent=parent)

    html = client.get(f"{article.get_absolute_url()}?replytocom={parent.pk}").content.decode()

    assert outline(html)["respond"] == f"comment-{parent.pk}"
    assert html.index(f'id="comment-{parent.pk}"') < html.index('id="respond"')
    assert html.index('id="respond"') < html.index(f'id="comment-{child.pk}"')


def test_form_stands_after_the_thread_when_answering_nobody(client, article):
    CommentFactory(article=article, approved=True)

    html = client.get(article.get_absolute_url()).content.decode()

    assert outline(html)["respond"] is None
    assert html.index("</ol>", html.index('<ol class="comment-list">')) < html.index('id="respond"')
    assert 'id="cancel-comment-reply-link" href' in html
    assert " hidden>Cancel reply</a>" in html


def test_replytocom_for_an_unknown_comment_is_ignored(client, article):
    response = client.get(f"{article.get_absolute_url()}?replytocom=abc")
    pending = CommentFactory(article=article)
    response_pending = client.get(f"{article.get_absolute_url()}?replytocom={pending.pk}")

    assert response.status_code == response_pending.status_code == 200
    assert 'name="comment_parent" value="0"' in response_pending.content.decode()


def test_reply_script_is_a_static_file_not_inline(client, article):
    page = client.get(article.get_absolute_url()).content.decode()

    assert '<script src="/static/js/comment-reply.js" defer></script>' in page
    assert '<script src="/static/js/comment-form.js" defer></script>' in page
    assert "<script>" not in page
    assert " onclick=" not in page


def test_reply_form_rerendered_after_error_keeps_the_reply_target(
    client, article, post_url, valid_data
):
    parent = CommentFactory(article=article, approved=True, author_name="Bo")

    response = client.post(
        post_url(article), {**valid_data, "email": "", "comment_parent": str(parent.pk)}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert f'name="comment_parent" value="{parent.pk}"' in html
    assert " to Bo</span>" in html
    assert outline(html)["respond"] == f"comment-{parent.pk}"
