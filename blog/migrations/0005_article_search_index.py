"""A GIN index for full-text search, on PostgreSQL only.

Its expression is, token for token, what `blog.models.search_document()` compiles to, so
PostgreSQL's planner matches the search filter to it. Other databases (SQLite in
development) search with a plain scan and get no index.
"""

from django.db import migrations

INDEX_NAME = "article_search_idx"
CREATE_SQL = f"""
CREATE INDEX IF NOT EXISTS {INDEX_NAME} ON blog_article USING gin ((
    setweight(to_tsvector('english'::regconfig, COALESCE("title", '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE("body", '')), 'B')
))
"""
DROP_SQL = f"DROP INDEX IF EXISTS {INDEX_NAME}"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_SQL)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("blog", "0004_editors_taxonomy")]

    operations = [migrations.RunPython(create_index, drop_index)]
