"""Full-text search on PostgreSQL: a stored tsvector column kept by a trigger, and its
GIN index. Nothing on other databases (SQLite in development searches with a scan).

Why a column and not just an expression index: ranking (ts_rank) reads the document of
every matching row, and recomputing to_tsvector over a long body for each one costs
about a millisecond apiece, so a common word over thousands of articles took seconds;
read from the column it takes milliseconds. Why a trigger and not a generated column:
a generated column would make any later migration that alters `title` or `body`
(a longer max_length, say) fail with "cannot alter type of a column used by a generated
column"; a trigger names the columns without binding their types.

The column is unknown to Django's model on purpose (a model field cannot exist on one
database only): `ArticleQuerySet.search()` reads it by name, and inserts and updates
that set the title or the body fire the trigger.
"""

from django.db import migrations

DOCUMENT = """
    setweight(to_tsvector('english'::regconfig, coalesce({row}title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce({row}body, '')), 'B')
"""

CREATE_SQL = [
    "ALTER TABLE blog_article ADD COLUMN search_document tsvector",
    f"""
    CREATE FUNCTION blog_article_search_document() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_document := {DOCUMENT.format(row="NEW.")};
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER blog_article_search_document
    BEFORE INSERT OR UPDATE OF title, body ON blog_article
    FOR EACH ROW EXECUTE FUNCTION blog_article_search_document()
    """,
    f"UPDATE blog_article SET search_document = {DOCUMENT.format(row='')}",
    "CREATE INDEX article_search_idx ON blog_article USING gin (search_document)",
]
DROP_SQL = [
    "DROP TRIGGER IF EXISTS blog_article_search_document ON blog_article",
    "DROP FUNCTION IF EXISTS blog_article_search_document()",
    "ALTER TABLE blog_article DROP COLUMN IF EXISTS search_document",  # and its index
]


def create_search_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE_SQL:
            schema_editor.execute(statement)


def drop_search_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP_SQL:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("blog", "0004_editors_taxonomy")]

    operations = [migrations.RunPython(create_search_document, drop_search_document)]
