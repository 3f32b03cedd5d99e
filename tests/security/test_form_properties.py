"""Property-based tests of the reader forms: arbitrary input gets a field error, never a crash.

Each example goes through the real view (form, service, storage) and is rolled back, so
the examples do not see each other's rows.
"""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comments.forms import CommentForm
from comments.models import Comment
from newsletter.forms import SubscribeForm
from newsletter.models import Subscriber
from privacy.forms import PrivacyRequestForm
from tests.factories.blog import ArticleFactory

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FORM_EXAMPLES = settings(max_examples=200, deadline=None, database=None)

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)
AWKWARD = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "x" * 70_000, "ü@ß.de", "a@b", "@", "a@b.c\n", "javascript:x",
     "http://", "https://exa mple.org", "0", "-1", "1e9", "99999999999999999999", "<b>hi</b>"]
)  # fmt: skip
VALUE = st.one_of(TEXT, AWKWARD)
EMAILISH = st.one_of(VALUE, st.emails().map(str))


def _fields(draw_from, names):
    return st.fixed_dictionaries({name: draw_from for name in names})


@FORM_EXAMPLES
@given(_fields(VALUE, ["comment", "author", "email", "url", "comment_parent", "url_confirm"]))
def test_comment_form_only_ever_reports_field_errors(data):
    form = CommentForm(data)

    if form.is_valid():
        cleaned = form.cleaned_data
        assert cleaned["comment"] and cleaned["author"]
        assert not any("\x00" in str(value) for value in cleaned.values())
        assert cleaned["url"] == "" or cleaned["url"].startswith(("http://", "https://"))
    else:
        assert form.errors


@FORM_EXAMPLES
@given(_fields(EMAILISH, ["email", "source"]))
def test_subscription_form_only_ever_reports_field_errors(data):
    form = SubscribeForm(data)

    if form.is_valid():
        assert "@" in form.cleaned_data["email"]
        source = form.cleaned_data["source"]
        assert source == "" or source.startswith("/")
    else:
        assert form.errors


@FORM_EXAMPLES
@given(_fields(EMAILISH, ["email", "kind"]))
def test_privacy_form_only_ever_reports_field_errors(data):
    form = PrivacyRequestForm(data)

    assert form.is_valid() or form.errors


@pytest.fixture
def article(db):
    return ArticleFactory()


@EXAMPLES
@given(data=_fields(VALUE, ["comment", "author", "email", "url", "comment_parent"]))
def test_posting_arbitrary_comments_answers_4xx_or_stores_what_was_typed(article, data):
    cache.clear()
    with transaction.atomic():
        response = Client(raise_request_exception=False).post(
            reverse("comments:post", args=[article.pk]), data
        )

        assert response.status_code in (303, 400, 429), response.status_code
        stored = list(Comment.objects.filter(article=article))
        if response.status_code == 303:
            (comment,) = stored
            assert comment.body == data["comment"].strip()
            assert "\x00" not in comment.body_html
        else:
            assert stored == []
        transaction.set_rollback(True)


@EXAMPLES
@given(data=_fields(EMAILISH, ["email", "source"]))
def test_signing_up_with_arbitrary_input_answers_4xx_or_records_one_subscriber(db, data):
    cache.clear()
    with transaction.atomic():
        response = Client(raise_request_exception=False).post(reverse("newsletter:subscribe"), data)

        assert response.status_code in (303, 400), response.status_code
        assert Subscriber.objects.count() == (1 if response.status_code == 303 else 0)
        transaction.set_rollback(True)
