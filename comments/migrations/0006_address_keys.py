"""Comments are matched by a key of their author's address (core.addresses.email_key),
no longer by UPPER(author_email), which let look-alike addresses (`ı`, `İ`, the Kelvin
sign) find each other's comments. The key is filled for existing rows; its index
replaces the UPPER() one."""

from django.db import migrations, models

from core.addresses import email_key


def fill_keys(apps, schema_editor):
    Comment = apps.get_model("comments", "Comment")
    batch = []
    rows = Comment.objects.exclude(author_email="").only("pk", "author_email").order_by("pk")
    for comment in rows.iterator(2000):
        comment.author_email_key = email_key(comment.author_email)
        batch.append(comment)
        if len(batch) == 2000:
            Comment.objects.bulk_update(batch, ["author_email_key"])
            batch = []
    Comment.objects.bulk_update(batch, ["author_email_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0005_thread_from_templates"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="author_email_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=320),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(
            model_name="comment",
            name="comment_author_email_idx",
        ),
        migrations.AddIndex(
            model_name="comment",
            index=models.Index(
                fields=["author_email_key", "article"], name="comment_email_key_idx"
            ),
        ),
    ]
