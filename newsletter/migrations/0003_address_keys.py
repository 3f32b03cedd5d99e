"""Subscribers are matched by a key of their address (core.addresses.email_key), no
longer by LOWER(email), which let look-alike addresses (`ı`, `İ`, the Kelvin sign) find
each other's rows. The key is filled for existing rows, then made unique."""

from django.db import migrations, models

from core.addresses import email_key


def fill_keys(apps, schema_editor):
    Subscriber = apps.get_model("newsletter", "Subscriber")
    owners = {}
    batch = []
    for subscriber in Subscriber.objects.only("pk", "email").order_by("pk").iterator(2000):
        subscriber.email_key = email_key(subscriber.email)
        if subscriber.email_key in owners:
            # Two rows that LOWER() told apart but that are one address (its domain once
            # typed in Unicode and once as xn--…): an editor must choose which one stays.
            raise RuntimeError(
                f"Subscribers {owners[subscriber.email_key]} and {subscriber.pk} are the "
                f"same address ({subscriber.email_key!r}); delete one of them, then migrate."
            )
        owners[subscriber.email_key] = subscriber.pk
        batch.append(subscriber)
        if len(batch) == 2000:
            Subscriber.objects.bulk_update(batch, ["email_key"])
            batch = []
    Subscriber.objects.bulk_update(batch, ["email_key"])


class Migration(migrations.Migration):

    dependencies = [
        ("newsletter", "0002_editors_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="subscriber",
            name="email_key",
            field=models.CharField(default="", editable=False, max_length=320),
            preserve_default=False,
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
        migrations.RemoveConstraint(
            model_name="subscriber",
            name="subscriber_unique_email",
        ),
        migrations.AlterField(
            model_name="subscriber",
            name="email_key",
            field=models.CharField(editable=False, max_length=320, unique=True),
        ),
    ]
