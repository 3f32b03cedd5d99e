from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Case, Count, IntegerField, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from comments.models import ArticleDiscussion, Comment, DiscussionSettings
from comments.services import (
    CommentRefused,
    Poster,
    comment_moderate,
    comment_submit,
    editor_reply_name,
)
from core.addresses import EmailAddressField
from core.http import client_ip, user_agent

# One-click moderation: the URL's verb, the status it gives, and what the message says.
MODERATION_VERBS = {
    "approve": (Comment.Status.APPROVED, "approved"),
    "unapprove": (Comment.Status.PENDING, "moved back to pending"),
    "spam": (Comment.Status.SPAM, "marked as spam"),
    "trash": (Comment.Status.TRASH, "moved to the trash"),
}
# Said when another editor got there first: the comment already has a status the
# editor did not see.
ALREADY = {
    Comment.Status.PENDING: "This comment was already waiting for moderation.",
    Comment.Status.APPROVED: "This comment was already approved.",
    Comment.Status.SPAM: "This comment was already marked as spam.",
    Comment.Status.TRASH: "This comment was already in the trash.",
}
COMMENT_MISSING = "That comment no longer exists (another editor may have deleted it)."
REPLY_EMPTY = "Write a reply before sending it."


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply", widget=forms.Textarea(attrs={"rows": 4}), max_length=65525, strip=True
    )


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """The moderation queue: pending comments first, newest first within each status."""

    # Four columns and the checkbox fit beside the nav and filter sidebars at 1280 px: the
    # article, the address and the row's actions are lines under the comment's text.
    list_display = ("author_name", "comment_cell", "status_label", "created_at")
    list_display_links = ("author_name",)
    list_filter = ("status", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("article",)
    search_fields = ("author_name", "author_email", "author_url", "body", "ip_address")
    date_hierarchy = "created_at"
    actions = ("approve_selected", "unapprove_selected", "spam_selected", "trash_selected")
    fields = ("article", "parent", "status", "author_name", "author_email", "author_url", "body",
              "created_at", "ip_address", "user_agent", "depth", "user",
              "is_by_editor")  # fmt: skip
    readonly_fields = ("article", "parent", "created_at", "ip_address", "user_agent", "depth",
                       "user", "is_by_editor")  # fmt: skip
    change_list_template = "admin/comments/comment/change_list.html"
    change_form_template = "admin/comments/comment/change_form.html"
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

    # No Media CSS: templates/admin/base_site.html loads admin-comments.css on every admin
    # page (the pending badge is in every sidebar), these included.

    @admin.display(description="comment")
    def comment_cell(self, comment):
        # The text (a few lines), the article, the poster's address, and the row's
        # one-click actions; the buttons belong to a form outside the changelist's own
        # (forms cannot nest).
        return render_to_string(
            "admin/comments/comment/_comment_cell.html",
            {"comment": comment, "verbs": self.verbs_for(comment)},
        )

    @admin.display(description="status", ordering="status")
    def status_label(self, comment):
        return format_html(
            '<span class="comment-status comment-status-{}">{}</span>',
            comment.status,
            comment.get_status_display(),
        )

    @staticmethod
    def verbs_for(comment):
        """The one-click actions that change this comment: (verb, label) pairs."""
        labels = {"approve": "Approve", "unapprove": "Unapprove", "spam": "Spam",
                  "trash": "Trash"}  # fmt: skip
        return [
            (verb, labels[verb])
            for verb, (status, _done) in MODERATION_VERBS.items()
            if status != comment.status
        ]

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "<int:object_id>/moderate/<str:verb>/",
                self.admin_site.admin_view(self.moderate_view),
                name=f"{prefix}_moderate",
            ),
            path(
                "<int:object_id>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name=f"{prefix}_approve",
            ),
            path(
                "<int:object_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name=f"{prefix}_reply",
            ),
            *super().get_urls(),
        ]

    def _next_url(self, request, default):
        """Where the editor came from (the list with its filters), if it is ours."""
        url = request.POST.get("next") or request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return url if url and safe else default

    def _moderate_one(self, request, object_id, status, done):
        """Give one comment `status` if it still has the status the editor saw; say
        what happened, and return whether it changed."""
        seen = request.POST.get("seen", "")
        changing = Comment.objects.filter(pk=object_id).exclude(status=status)
        if seen in Comment.Status.values:
            changing = changing.filter(status=seen)
        with transaction.atomic():
            changed = comment_moderate(comments=changing, status=status)
        if changed:
            self.message_user(request, f"The comment was {done}.", messages.SUCCESS)
            return True
        current = Comment.objects.filter(pk=object_id).values_list("status", flat=True).first()
        if current is None:
            self.message_user(request, COMMENT_MISSING, messages.ERROR)
        else:
            self.message_user(request, ALREADY[current], messages.WARNING)
        return False

    @method_decorator(require_POST)
    def moderate_view(self, request, object_id, verb):
        """One comment's row button (list or change page): POST only, then back."""
        if verb not in MODERATION_VERBS:
            raise Http404
        if not self.has_change_permission(request):
            raise PermissionDenied
        self._moderate_one(request, object_id, *MODERATION_VERBS[verb])
        return redirect(self._next_url(request, reverse("admin:comments_comment_changelist")))

    def approve_view(self, request, object_id):
        """The page the editors' email links to: the comment and one Approve button."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = Comment.objects.select_related("article").filter(pk=object_id).first()
        queue_url = reverse("admin:comments_comment_changelist") + "?status__exact=pending"
        if comment is None:
            self.message_user(request, COMMENT_MISSING, messages.ERROR)
            return redirect(queue_url)
        if request.method == "POST":
            if self._moderate_one(request, object_id, *MODERATION_VERBS["approve"]):
                return redirect(queue_url)
            return redirect("admin:comments_comment_approve", object_id=comment.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Approve this comment?",
            "comment": comment,
            "already": ALREADY.get(comment.status)
            if comment.status != Comment.Status.PENDING
            else "",
            "queue_url": queue_url,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/comments/comment/approve.html", context)

    @method_decorator(require_POST)
    def reply_view(self, request, object_id):
        """Answer a comment as the signed-in editor (a pending comment is approved first,
        as WordPress's "Approve and Reply" does: a reply cannot hang under a hidden one)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        comment = Comment.objects.select_related("article").filter(pk=object_id).first()
        if comment is None:
            self.message_user(request, COMMENT_MISSING, messages.ERROR)
            return redirect("admin:comments_comment_changelist")
        change_url = reverse("admin:comments_comment_change", args=[comment.pk])
        form = ReplyForm(request.POST)
        if not form.is_valid():
            self.message_user(request, REPLY_EMPTY, messages.ERROR)
            return redirect(change_url)
        user = request.user
        try:
            with transaction.atomic():
                if comment.status == Comment.Status.PENDING:
                    comment_moderate(
                        comments=Comment.objects.filter(pk=comment.pk),
                        status=Comment.Status.APPROVED,
                    )
                reply = comment_submit(
                    article=comment.article,
                    author_name=editor_reply_name(user),
                    author_email=user.email,
                    body=form.cleaned_data["body"],
                    parent_id=comment.pk,
                    is_editor_reply=True,
                    poster=Poster(
                        user=user,
                        # As the reader's path records it: behind the trusted proxy,
                        # REMOTE_ADDR is the proxy's address, not the editor's.
                        ip_address=client_ip(request),
                        user_agent=user_agent(request),
                    ),
                )
        except CommentRefused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return redirect(change_url)
        self.message_user(
            request, f"Your reply was {reply.get_status_display().lower()}.", messages.SUCCESS
        )
        return redirect(change_url)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = Comment.objects.filter(pk=object_id).only("pk", "status").first()
        if comment is None:
            self.message_user(request, COMMENT_MISSING, messages.ERROR)
            return redirect("admin:comments_comment_changelist")
        extra_context = {**(extra_context or {}), "verbs": self.verbs_for(comment),
                         "reply_form": ReplyForm()}  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)

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
