"""The comment rules that compare addresses (duplicate, flood, trust) use one key per
address: look-alike addresses are different people, ASCII case is not (core/addresses.py)."""

import pytest
from django.test import Client

from comments import services
from comments.models import Comment
from core.addresses import DOMAIN_INVALID
from tests.addresses import LOOKALIKES, SAME_PERSON

pytestmark = pytest.mark.django_db


def posted(client, url, data, **extra):
    response = client.post(url, data, **extra)
    assert response.status_code == 303, response.content.decode()[:2000]
    return Comment.objects.latest("pk")


@pytest.mark.parametrize(("person", "lookalike"), LOOKALIKES)
def test_same_text_from_a_lookalike_address_is_not_a_duplicate(
    client, article, post_url, valid_data, person, lookalike
):
    posted(client, post_url(article), {**valid_data, "author": "Dana", "email": person})

    posted(Client(), post_url(article), {**valid_data, "author": "Mallory", "email": lookalike})

    assert Comment.objects.count() == 2


@pytest.mark.parametrize(("person", "typed"), SAME_PERSON)
def test_same_text_from_the_same_address_typed_otherwise_is_a_duplicate(
    client, article, post_url, valid_data, person, typed
):
    posted(client, post_url(article), {**valid_data, "author": "Dana", "email": person})

    response = Client().post(post_url(article), {**valid_data, "author": "Dana R.", "email": typed})

    assert response.status_code == 400
    assert response.context["comment_form"].errors["comment"] == [services.DUPLICATE_COMMENT]
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(("person", "lookalike"), LOOKALIKES)
def test_a_lookalike_address_is_not_held_back_by_the_others_flood_window(
    client, article, post_url, valid_data, settings, person, lookalike
):
    settings.COMMENT_FLOOD_SECONDS = 15
    posted(client, post_url(article), {**valid_data, "email": person}, REMOTE_ADDR="192.0.2.1")
    other = {**valid_data, "author": "Mallory", "email": lookalike, "comment": "Mine"}

    posted(Client(), post_url(article), other, REMOTE_ADDR="192.0.2.2")

    assert Comment.objects.count() == 2


@pytest.mark.parametrize(("person", "typed"), SAME_PERSON)
def test_the_same_address_typed_otherwise_is_in_the_same_flood_window(
    client, article, post_url, valid_data, settings, person, typed
):
    settings.COMMENT_FLOOD_SECONDS = 15
    posted(client, post_url(article), {**valid_data, "email": person}, REMOTE_ADDR="192.0.2.1")
    again = {**valid_data, "email": typed, "comment": "Second"}

    response = Client().post(post_url(article), again, REMOTE_ADDR="192.0.2.2")

    assert response.status_code == 429
    assert Comment.objects.count() == 1


@pytest.mark.parametrize(("person", "lookalike"), LOOKALIKES)
def test_an_approved_authors_browser_does_not_vouch_for_a_lookalike_address(
    client, article, post_url, valid_data, person, lookalike
):
    first = posted(client, post_url(article), {**valid_data, "email": person})
    services.comment_approve(comment=first)

    other = posted(client, post_url(article), {**valid_data, "email": lookalike, "comment": "Hi"})

    assert other.status == Comment.Status.PENDING


@pytest.mark.parametrize(("person", "typed"), SAME_PERSON)
def test_an_approved_authors_browser_vouches_for_their_address_typed_otherwise(
    client, article, post_url, valid_data, person, typed
):
    first = posted(client, post_url(article), {**valid_data, "email": person})
    services.comment_approve(comment=first)

    second = posted(client, post_url(article), {**valid_data, "email": typed, "comment": "Hi"})

    assert second.status == Comment.Status.APPROVED


def test_an_international_domain_is_stored_as_dns_knows_it(client, article, post_url, valid_data):
    comment = posted(client, post_url(article), {**valid_data, "email": "Jo@BÜCHER.example"})

    assert comment.author_email == "Jo@xn--bcher-kva.example"


# Addresses Django's validator lets through, whose domains IDNA 2008 refuses.
@pytest.mark.parametrize(
    "typed", ["dana@ſam.example.org", "dana@☃.example", "dana@a\u200db.example"]
)
def test_a_domain_idna_refuses_gets_the_fields_message(
    client, article, post_url, valid_data, typed
):
    response = client.post(post_url(article), {**valid_data, "email": typed})

    assert response.status_code == 400
    assert response.context["comment_form"].errors["email"] == [DOMAIN_INVALID]
    assert DOMAIN_INVALID in response.content.decode()
    assert not Comment.objects.exists()
