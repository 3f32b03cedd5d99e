"""Receivers that keep the library's files in step with its rows."""

from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver

from media import services, usage
from media.models import Image


@receiver(pre_delete, sender=Image, dispatch_uid="media.image_in_use")
def refuse_deleting_a_picture_in_use(sender, instance: Image, **kwargs):
    """A picture still shown somewhere no foreign key records (an article's text) is
    not deleted, whoever asks: the admin, a bulk action, the shell."""
    if found := usage.uses(instance):
        raise ProtectedError(
            usage.IN_USE_MESSAGE.format(
                image=instance.title,
                count=len(found),
                uses=", ".join(f"“{item}”" for item in found),
            ),
            set(found),
        )


@receiver(post_delete, sender=Image, dispatch_uid="media.image_deleted")
def delete_files_after_commit(sender, instance: Image, **kwargs):
    names = services.image_files(instance)
    transaction.on_commit(lambda: services.files_delete(names))
