import csv

from django.contrib import admin, messages
from django.http import StreamingHttpResponse
from django.utils import timezone

from newsletter import services
from newsletter.models import Delivery, MailEvent, Mailing, Subscriber

CSV_COLUMNS = (
    "email",
    "status",
    "consent_at",
    "consent_source",
    "confirmed_at",
    "unsubscribed_at",
)


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: never a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value):
        return value


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(ReadOnlyAdmin):
    list_display = (
        "email",
        "status",
        "consent_at",
        "consent_source",
        "confirmed_at",
        "mail_state",
    )
    list_filter = ("status", "delivery_problem")
    search_fields = ("email",)
    date_hierarchy = "consent_at"
    actions = ("export_csv", "clear_delivery_problem")
    fields = (
        "email",
        "status",
        "consent_at",
        "consent_source",
        "confirmation_sent_at",
        "confirmed_at",
        "unsubscribed_at",
        "created_at",
        "mail_state",
        "confirmation_error",
        "delivery_problem",
        "delivery_problem_at",
    )
    readonly_fields = ("mail_state",)

    @admin.display(description="mail")
    def mail_state(self, subscriber):
        """What an editor needs to know about mail to this address, or nothing."""
        if subscriber.delivery_problem:
            return f"{subscriber.get_delivery_problem_display()}: no email is sent"
        if subscriber.confirmation_error and subscriber.status == Subscriber.Status.PENDING:
            if subscriber.confirmation_attempts >= services.CONFIRMATION_ATTEMPTS:
                return "Confirmation failed, given up"
            return "Confirmation failed, will retry"
        return ""

    def has_clear_delivery_problem_permission(self, request):
        return request.user.has_perm("newsletter.change_subscriber")

    @admin.action(
        description="Clear bounce or complaint (send to these addresses again)",
        permissions=["clear_delivery_problem"],
    )
    def clear_delivery_problem(self, request, queryset):
        cleared = services.delivery_problem_clear(subscribers=queryset)
        self.message_user(request, f"{cleared} address(es) cleared.", messages.SUCCESS)

    @admin.action(description="Export selected subscribers as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        """Streamed, read in chunks: the export of a large list needs no large memory."""
        writer = csv.writer(_Echo())
        rows = queryset.order_by("pk").values_list(*CSV_COLUMNS).iterator(chunk_size=2000)

        def lines():
            yield writer.writerow(CSV_COLUMNS)
            for row in rows:
                yield writer.writerow([csv_cell(value) for value in row])

        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        return StreamingHttpResponse(
            lines(),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="subscribers-{stamp}.csv"'},
        )


@admin.register(Mailing)
class MailingAdmin(ReadOnlyAdmin):
    """Per article: what its deliveries say, counted from the rows themselves."""

    list_display = (
        "article",
        "audience_cutoff",
        "queued",
        "sent",
        "failed",
        "finished_at",
        "last_error",
        "retry_at",
    )
    list_select_related = ("article",)
    search_fields = ("article__title",)
    fields = (
        "article",
        "audience_cutoff",
        "created_at",
        "prepared_at",
        "finished_at",
        "failed_attempts",
        "last_error",
        "retry_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).with_counts()

    @admin.display(ordering="queued_count")
    def queued(self, mailing):
        return mailing.queued_count

    @admin.display(ordering="sent_count")
    def sent(self, mailing):
        return mailing.sent_count

    @admin.display(ordering="failed_count")
    def failed(self, mailing):
        return mailing.failed_count


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("subscriber", "mailing", "status", "sent_at", "error")
    list_filter = ("status",)
    list_select_related = ("subscriber", "mailing__article")
    search_fields = ("subscriber__email", "mailing__article__title")
    show_full_result_count = False
    fields = ("mailing", "subscriber", "status", "sent_at", "error")


@admin.register(MailEvent)
class MailEventAdmin(ReadOnlyAdmin):
    """Bounces and complaints as the mail provider reported them."""

    list_display = ("subscriber", "event_type", "esp_name", "description", "occurred_at")
    list_filter = ("event_type", "esp_name")
    list_select_related = ("subscriber",)
    search_fields = ("subscriber__email",)
    fields = (*list_display, "event_id", "received_at")
