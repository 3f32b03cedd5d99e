from django.contrib import admin, messages
from django.db import models
from django.db.models import Case, Count, IntegerField, Value, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import Truncator

from comments.models import ArticleDiscussion, Comment, DiscussionSettings
from comments.services import comment_moderate
from core.addresses import EmailAddressField


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: pending comments first, newest first within each status."""

    list_display = ("author_name", "author_email", "excerpt", "article", "status", "created_at",
                    "ip_address")  # fmt: skip
    list_display_links = ("excerpt",)
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("article",)
    search_fields = ("author_name", "author_email", "author_url", "body", "ip_address")
    date_hierarchy = "created_at"
    actions = ("approve_selected", "unapprove_selected", "spam_selected", "trash_selected")
    fields = ("article", "parent", "status", "author_name", "author_email", "author_url", "body",
              "created_at", "ip_address", "user_agent", "depth", "user")  # fmt: skip
    readonly_fields = ("article", "parent", "created_at", "ip_address", "user_agent", "depth",
                       "user")  # fmt: skip
    change_list_template = "admin/comments/comment/change_list.html"
    # An edited address in its stored form, an invalid international domain refused.
    formfield_overrides = {models.EmailField: {"form_class": EmailAddressField}}

    def has_add_permission(self, request):
        # Comments come in through the article page, where the moderation policy runs.
        return False

    def get_ordering(self, request):
        pending_first = Case(
            When(status=Comment.Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return (pending_first.asc(), "-created_at", "-pk")

    @admin.display(description="comment")
    def excerpt(self, comment):
        return Truncator(comment.body).chars(80)

    def changelist_view(self, request, extra_context=None):
        counts = dict(Comment.objects.order_by().values_list("status").annotate(count=Count("pk")))
        status_counts = [
            (value, label, counts.get(value, 0)) for value, label in Comment.Status.choices
        ]
        extra_context = {**(extra_context or {}), "status_counts": status_counts,
                         "total_count": sum(counts.values())}  # fmt: skip
        return super().changelist_view(request, extra_context=extra_context)

    def _moderate(self, request, queryset, status, verb):
        count = comment_moderate(comments=queryset, status=status)
        self.message_user(request, f"{count} comment(s) {verb}.", messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["change"])
    def approve_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.APPROVED, "approved")

    @admin.action(description="Unapprove selected comments (back to pending)",
                  permissions=["change"])  # fmt: skip
    def unapprove_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.PENDING, "moved back to pending")

    @admin.action(description="Mark selected comments as spam", permissions=["change"])
    def spam_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.SPAM, "marked as spam")

    @admin.action(description="Move selected comments to the trash", permissions=["change"])
    def trash_selected(self, request, queryset):
        self._moderate(request, queryset, Comment.Status.TRASH, "moved to the trash")


@admin.register(DiscussionSettings)
class DiscussionSettingsAdmin(admin.ModelAdmin):
    """One row, WordPress's Settings > Discussion: the list page leads straight to it."""

    fieldsets = (
        ("New articles", {"fields": ("is_open_on_new_articles",)}),
        ("Other comment settings", {"fields": ("is_auto_close_on", "close_after_days",
                                               "is_threaded", "thread_depth")}),
        ("Email the editors", {"fields": ("notify_on_published", "notify_on_held")}),
        ("Before a comment appears", {"fields": ("is_manual_approval_required",
                                                 "is_previous_approval_required")}),
        ("Comment moderation", {"fields": ("max_links", "moderation_keys")}),
        ("Disallowed comment keys", {"fields": ("disallowed_keys",)}),
    )  # fmt: skip

    def has_add_permission(self, request):
        return not DiscussionSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        row = DiscussionSettings.load()
        return redirect(reverse("admin:comments_discussionsettings_change", args=[row.pk]))


@admin.register(ArticleDiscussion)
class ArticleDiscussionAdmin(admin.ModelAdmin):
    """Open or close comments on one article (an article without a row is open)."""

    list_display = ("article", "is_open")
    list_editable = ("is_open",)
    list_filter = ("is_open",)
    list_select_related = ("article",)
    search_fields = ("article__title",)
    autocomplete_fields = ("article",)

    def has_delete_permission(self, request, obj=None):
        # The row also holds the article's comment version, which keys its cached thread:
        # deleting it would bring the version back to 0, a key an old thread may still
        # hold. Opening comments is the checkbox.
        return False
