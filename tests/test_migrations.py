from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from comments.models import Comment
from newsletter.models import Subscriber
from privacy.models import PrivacyRequest


@pytest.mark.django_db
def test_models_and_migrations_agree():
    """A model change without its migration fails here, not on the next deploy."""
    out = StringIO()

    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit:
        pytest.fail(f"Models changed without a migration:\n{out.getvalue()}")


# The address-key migrations (core/addresses.py), run over rows written before them.
BEFORE_KEYS = [
    # Blog too, so that the rows written before are written to the tables of that time.
    ("blog", "0007_article_body_text"),
    ("comments", "0005_thread_from_templates"),
    ("newsletter", "0002_editors_permissions"),
    ("privacy", "0001_initial"),
]


@pytest.mark.django_db(transaction=True)
def test_address_key_migrations_fill_keys_for_existing_rows():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_KEYS)
    old = executor.loader.project_state(BEFORE_KEYS).apps
    author = old.get_model("auth", "User").objects.create(username="old-author")
    article = old.get_model("blog", "Article").objects.create(
        title="Old", slug="old", author=author, body="Text", status="published",
        published_at=timezone.now(),
    )  # fmt: skip
    comment = old.get_model("comments", "Comment").objects.create(
        article=article, author_name="Jo", author_email="Jo@BÜCHER.example", body="Hi"
    )
    old.get_model("newsletter", "Subscriber").objects.create(
        email="Kate@example.org", consent_at=timezone.now()
    )
    requests = old.get_model("privacy", "PrivacyRequest").objects
    kelvin = requests.create(kind="export", email="\u212aate@example.org", email_digest="old")
    masked = requests.create(kind="erase", email="j•••@example.org", email_digest="kept")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Comment.objects.get(pk=comment.pk).author_email_key == "jo@xn--bcher-kva.example"
    assert Subscriber.objects.with_address("KATE@example.org").exists()
    assert not Subscriber.objects.with_address("\u212aate@example.org").exists()
    assert PrivacyRequest.objects.for_address("\u212aate@example.org").get().pk == kelvin.pk
    assert PrivacyRequest.objects.get(pk=masked.pk).email_digest == "kept"
