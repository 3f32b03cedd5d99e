import json

from django.contrib import admin, messages
from django.db import models
from django.http import HttpResponse
from django.utils import timezone

from core.addresses import EmailAddressField
from privacy import services
from privacy.models import PrivacyRequest

NOT_AN_EXPORT = "Only export requests can be exported; leave out the erasures."
NOT_AN_ERASURE = "Only erasure requests can be carried out as erasures."


@admin.register(PrivacyRequest)
class PrivacyRequestAdmin(admin.ModelAdmin):
    """WordPress's Tools › Export/Erase Personal Data: add a request, then run it.

    An editor's request needs no confirmation by email (the editor answers for it);
    every run is recorded on the request (who asked, when it was done, what it touched).
    """

    list_display = (
        "email",
        "kind",
        "status",
        "source",
        "requested_by",
        "created_at",
        "completed_at",
        "outcome",
    )
    list_filter = ("kind", "status", "source")
    search_fields = ("email",)
    fields = (
        "email",
        "kind",
        "comments",
        "status",
        "source",
        "requested_by",
        "created_at",
        "completed_at",
        "outcome",
    )
    readonly_fields = ("status", "source", "requested_by", "created_at", "completed_at", "outcome")
    actions = ("export_personal_data", "erase_personal_data")
    # The address in its stored form, an invalid international domain refused.
    formfield_overrides = {models.EmailField: {"form_class": EmailAddressField}}

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a request is a record: what it asked for does not change
            return ("email", "kind", "comments", *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source = PrivacyRequest.Source.ADMIN
            obj.requested_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="done")
    def outcome(self, obj):
        return ", ".join(f"{key.replace('_', ' ')}: {value}" for key, value in obj.result.items())

    @admin.action(description="Export personal data (download JSON)", permissions=["change"])
    def export_personal_data(self, request, queryset):
        if queryset.exclude(kind=PrivacyRequest.Kind.EXPORT).exists():
            self.message_user(request, NOT_AN_EXPORT, messages.ERROR)
            return None
        exports = [services.privacy_export(request=row) for row in queryset.order_by("pk")]
        body = json.dumps(
            exports[0] if len(exports) == 1 else exports, indent=2, ensure_ascii=False
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        stamp = timezone.now().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Erase personal data", permissions=["change"])
    def erase_personal_data(self, request, queryset):
        if queryset.exclude(kind=PrivacyRequest.Kind.ERASE).exists():
            self.message_user(request, NOT_AN_ERASURE, messages.ERROR)
            return
        for row in queryset.order_by("pk"):
            result = services.privacy_erase(request=row)
            summary = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in result.items())
            self.message_user(request, f"Erased request {row.pk}: {summary}.", messages.SUCCESS)
