"""A request's digest is now the SHA-256 of its address's key (core.addresses.email_key)
rather than of the address lower-cased by Python, which made the Kelvin sign a `k`. For
an ASCII address the two are the same; the others are recomputed from the address.
Rows whose address was masked by an erasure keep the digest they have: the address is
gone, and the digest was made from it when it was there."""

import hashlib

from django.db import migrations

from core.addresses import email_key

MASK = "•••"


def recompute_digests(apps, schema_editor):
    PrivacyRequest = apps.get_model("privacy", "PrivacyRequest")
    changed = []
    for request in PrivacyRequest.objects.only("pk", "email", "email_digest").iterator(2000):
        if MASK in request.email:
            continue
        digest = hashlib.sha256(email_key(request.email).encode()).hexdigest()
        if digest != request.email_digest:
            request.email_digest = digest
            changed.append(request)
    PrivacyRequest.objects.bulk_update(changed, ["email_digest"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(recompute_digests, migrations.RunPython.noop, elidable=False),
    ]
