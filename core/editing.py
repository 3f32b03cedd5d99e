"""Two people editing the same row in the admin: the second save is told, not obeyed.

`EditConflictMixin` goes on a ModelAdmin whose model has a timestamp that every save
moves (`updated_at`, auto_now). The change form carries, in a hidden field, the
timestamp the editor opened; on save, if the row's timestamp is no longer that one,
someone saved in between: the form gets an error, nothing is written, and what the
editor typed is shown back. The hidden field then holds the newer timestamp, so
saving once more replaces the other person's version knowingly, never silently.

The mixin extends whatever form the ModelAdmin builds (`form = …` or the default), so
any admin of ours can take it.
"""

from datetime import datetime

from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.formats import date_format

VERSION_FIELD = "edit_version"

CONFLICT_MESSAGE = (
    "{who} saved this at {time}, after you opened it, so nothing was saved. "
    "Your version is below: to keep theirs, open it again from the list; to replace "
    "theirs with yours, save again."
)
SOMEONE = "Someone else"
YOU_ELSEWHERE = "You (in another tab or window)"


def last_saved_by(instance, *, user, since) -> str:
    """Who saved `instance` last, as the admin's history (LogEntry) knows it.

    Only an entry written at or after `since` (the version the editor opened) can be the
    save that conflicts: an older one is a save the editor already had, and naming its
    author would blame the wrong person for a change that left no entry (a script, a
    command), so then it is "someone else"."""
    entry = (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(instance),
            object_id=str(instance.pk),
            action_time__gte=since,
        )
        .select_related("user")
        .order_by("-action_time", "-pk")
        .first()
    )
    if entry is None:
        return SOMEONE
    if entry.user_id == user.pk:
        return YOU_ELSEWHERE
    return entry.user.get_full_name() or entry.user.get_username()


def _version(value) -> str:
    return value.isoformat() if value is not None else ""


def _opened_at(opened: str, stored):
    """The time of the version the editor opened; a tampered value counts as the stored
    one, so that only the latest save's author is named, never an older one."""
    try:
        opened_at = datetime.fromisoformat(opened)
    except ValueError:
        return stored
    return opened_at if opened_at.tzinfo is not None else stored


def conflict_form(base_form, *, timestamp_field: str, user):
    """A subclass of `base_form` (a ModelForm) that refuses `user`'s save over a newer
    row."""

    class ConflictCheckingForm(base_form):
        edit_version = forms.CharField(required=False, widget=forms.HiddenInput)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk is not None:
                self.fields[VERSION_FIELD].initial = _version(
                    getattr(self.instance, timestamp_field)
                )

        def clean(self):
            cleaned_data = super().clean()
            opened = self.cleaned_data.get(VERSION_FIELD)
            # A form posted without the field (a script, an old page) is not checked:
            # the check protects people at the form, who always carry it.
            if not opened or self.instance.pk is None:
                return cleaned_data
            # Locked until the admin's transaction ends, so two saves cannot both pass
            # the check and then both write.
            stored = (
                type(self.instance)
                .objects.select_for_update()
                .filter(pk=self.instance.pk)
                .values_list(timestamp_field, flat=True)
                .first()
            )
            current = _version(stored)
            if stored is not None and opened != current:
                # Carry the newer version, so that saving again is a deliberate overwrite.
                self.data = self.data.copy()
                self.data[self.add_prefix(VERSION_FIELD)] = current
                raise forms.ValidationError(
                    CONFLICT_MESSAGE.format(
                        who=last_saved_by(
                            self.instance, user=user, since=_opened_at(opened, stored)
                        ),
                        time=date_format(timezone.localtime(stored), "DATETIME_FORMAT"),
                    ),
                    code="edit_conflict",
                )
            return cleaned_data

    ConflictCheckingForm.__name__ = f"ConflictChecking{base_form.__name__}"
    return ConflictCheckingForm


class EditConflictMixin:
    """For a ModelAdmin: refuse a change saved over someone else's newer save."""

    edit_timestamp_field = "updated_at"

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The admin passes the fieldsets' fields, the hidden one included: the model
        # form is built without it, and the subclass declares it.
        fields = kwargs.pop("fields", None)
        if fields is None:
            fields = _flatten(self.get_fieldsets(request, obj))
        fields = [name for name in fields if name != VERSION_FIELD]
        form = super().get_form(request, obj, change=change, fields=fields, **kwargs)
        return conflict_form(form, timestamp_field=self.edit_timestamp_field, user=request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        # The hidden field rides in the first fieldset (a row of only hidden fields is
        # not shown).
        (name, options), *rest = fieldsets
        fields = [*options["fields"], VERSION_FIELD]
        return [(name, {**options, "fields": fields}), *rest]


def _flatten(fieldsets) -> list[str]:
    names = []
    for _, options in fieldsets:
        for line in options["fields"]:
            names.extend(line if isinstance(line, (list, tuple)) else [line])
    return names
