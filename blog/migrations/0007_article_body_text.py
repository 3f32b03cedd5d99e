"""The body's plain text, which the search of databases without full-text search reads
instead of the HTML (whose tags matched searches). Existing rows are filled here; new
saves fill it in Article.save."""

from django.db import migrations, models

from blog.html import strip_tags

BATCH = 500


def fill_body_text(apps, schema_editor):
    Article = apps.get_model("blog", "Article")
    articles = Article.objects.only("pk", "body").order_by("pk")
    last_pk = 0
    while batch := list(articles.filter(pk__gt=last_pk)[:BATCH]):
        for article in batch:
            article.body_text = strip_tags(article.body)
        Article.objects.bulk_update(batch, ["body_text"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0006_constraint_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="body_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_body_text, migrations.RunPython.noop, elidable=True),
    ]
