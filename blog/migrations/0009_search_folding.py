"""Search that ignores accents: "turkiye" finds "Türkiye", and the reverse.

PostgreSQL: the `unaccent` extension and a text search configuration,
`english_unaccent`, that reads words through `unaccent` before English stemming (the
recipe of PostgreSQL's documentation for unaccent). The trigger of migration 0005
builds the stored document with it, and `ArticleQuerySet.search()` parses the query
with it, so both sides are folded alike; every stored document is rebuilt here.

Other databases: `search_text`, the folded title and body text (`blog.search.fold`),
filled here for existing rows and by `Article.save` for new ones.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

from blog.search import fold

BATCH = 500

DOCUMENT = """
    setweight(to_tsvector('{config}'::regconfig, coalesce({row}title, '')), 'A')
    || setweight(to_tsvector('{config}'::regconfig, coalesce({row}body, '')), 'B')
"""
FUNCTION = """
    CREATE OR REPLACE FUNCTION blog_article_search_document() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_document := {document};
        RETURN NEW;
    END
    $$
"""


def _use_configuration(schema_editor, config):
    schema_editor.execute(FUNCTION.format(document=DOCUMENT.format(config=config, row="NEW.")))
    schema_editor.execute(
        f"UPDATE blog_article SET search_document = {DOCUMENT.format(config=config, row='')}"
    )


def fold_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE TEXT SEARCH CONFIGURATION english_unaccent (COPY = english)")
    schema_editor.execute(
        "ALTER TEXT SEARCH CONFIGURATION english_unaccent "
        "ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem"
    )
    _use_configuration(schema_editor, "english_unaccent")


def unfold_documents(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    _use_configuration(schema_editor, "english")
    schema_editor.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS english_unaccent")


def fill_search_text(apps, schema_editor):
    Article = apps.get_model("blog", "Article")
    articles = Article.objects.only("pk", "title", "body_text").order_by("pk")
    last_pk = 0
    while batch := list(articles.filter(pk__gt=last_pk)[:BATCH]):
        for article in batch:
            article.search_text = fold(f"{article.title}\n{article.body_text}")
        Article.objects.bulk_update(batch, ["search_text"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0008_category_navigation"),
    ]

    operations = [
        # Does nothing on databases other than PostgreSQL.
        UnaccentExtension(),
        migrations.RunPython(fold_documents, unfold_documents),
        migrations.AddField(
            model_name="article",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
    ]
