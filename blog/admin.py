from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from blog import services
from blog.admin_forms import ArticleAdminForm
from blog.models import Article, Category, RelatedLink, SiteSettings, Tag
from blog.services import article_publish, article_save, article_unpublish
from core.editing import EditConflictMixin

# The name of the submit row's buttons; each button's value is the status it saves.
WORKFLOW_BUTTON = "_workflow"
UNKNOWN_ACTION_MESSAGE = "That button is not one this form has: nothing was saved."


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    fk_name = "article"
    extra = 1
    fields = ("target", "target_title", "after_paragraph", "order")
    autocomplete_fields = ("target",)
    verbose_name = '"See also" link'
    verbose_name_plural = '"See also" links'


class VisibilityFilter(admin.SimpleListFilter):
    title = "visibility"
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live"),
            ("scheduled", "Scheduled"),
            ("pending", "Pending review"),
            ("draft", "Draft"),
            ("private", "Private"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "live":
                return queryset.published()
            case "scheduled":
                return queryset.scheduled()
            case "draft":
                return queryset.drafts()
            case "pending":
                return queryset.filter(status=Article.Status.PENDING)
            case "private":
                return queryset.filter(status=Article.Status.PRIVATE)
        return queryset


class AuthorFilter(admin.SimpleListFilter):
    """The newsroom's accounts (staff), not every reader who ever made one."""

    title = "author"
    parameter_name = "author"

    def lookups(self, request, model_admin):
        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [(str(user.pk), user.get_full_name() or user.get_username()) for user in staff]

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isascii() and value.isdigit():
            return queryset.filter(author_id=int(value))
        return queryset


def workflow_form(base_form, *, user, article: Article | None):
    """`base_form` saving only the statuses `user` may give: a status is chosen by the
    submit row's buttons (or, without one, the status field), and one not allowed is
    a form error, whatever the request says."""
    allowed = services.allowed_statuses(user, article)

    class WorkflowForm(base_form):
        # As stored before this request: binding the form changes the instance.
        stored_status = article.status if article is not None else None
        stored_is_live = article is not None and article.is_live

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if "status" in self.fields:
                field = self.fields["status"]
                field.choices = [choice for choice in field.choices if choice[0] in allowed]
                field.error_messages["invalid_choice"] = services.STATUS_REFUSED_MESSAGE

        def clean(self):
            cleaned_data = super().clean()
            action = self.data.get(WORKFLOW_BUTTON)
            if action is None:
                return cleaned_data
            if action not in Article.Status.values:
                raise forms.ValidationError(UNKNOWN_ACTION_MESSAGE, code="unknown_action")
            if action not in allowed:
                raise forms.ValidationError(services.STATUS_REFUSED_MESSAGE, code="refused")
            cleaned_data["status"] = action
            self.instance.status = action
            return cleaned_data

    return WorkflowForm


def workflow_buttons(user, *, stored_status: str | None, when) -> list[dict]:
    """The submit row's buttons: each saves the article with one status. The first one
    (what the Enter key presses) keeps a published article published and saves any
    other as a draft, so that no keystroke publishes. `when` is the publication time
    in the form: a future one makes "Publish" "Schedule for …"."""
    if services.may_publish(user):
        now_label = "Update" if stored_status == Article.Status.PUBLISHED else "Publish"
        if when is not None and when > timezone.now():
            publish = f"Schedule for {date_format(timezone.localtime(when), 'DATETIME_FORMAT')}"
        else:
            publish = now_label
        publish_button = {
            "status": Article.Status.PUBLISHED,
            "label": publish,
            "default": True,
            # For publish-label.js, which relabels the button as the publication time is
            # typed: the label for a time not in the future, and the site's wall-clock time
            # (the fields are in the site's time zone, not the browser's).
            "now_label": now_label,
            "site_now": timezone.localtime().strftime("%Y-%m-%dT%H:%M:%S"),
        }
        pending_button = {"status": Article.Status.PENDING, "label": "Save as pending"}
        if stored_status == Article.Status.PUBLISHED:
            return [
                publish_button,
                pending_button,
                {"status": Article.Status.DRAFT, "label": "Switch to draft"},
            ]
        return [
            {"status": Article.Status.DRAFT, "label": "Save draft"},
            pending_button,
            publish_button,
        ]
    if stored_status == Article.Status.PENDING:
        return [
            {"status": Article.Status.PENDING, "label": "Update submission", "default": True},
            {"status": Article.Status.DRAFT, "label": "Withdraw to draft"},
        ]
    return [
        {"status": Article.Status.DRAFT, "label": "Save draft"},
        {"status": Article.Status.PENDING, "label": "Submit for review", "default": True},
    ]


def _is_popup(request) -> bool:
    # A pop-up (an article added from another form's "+") answers its opener as usual.
    return "_popup" in request.POST or "_popup" in request.GET


def saved_message(article: Article, *, by_publisher: bool) -> str:
    title = f"“{article.title}”"
    match article.status:
        case Article.Status.PUBLISHED if article.is_scheduled:
            when = date_format(timezone.localtime(article.published_at), "DATETIME_FORMAT")
            return f"{title} is scheduled for {when}: readers see it from then on."
        case Article.Status.PUBLISHED:
            return f"{title} is published."
        case Article.Status.PENDING if by_publisher:
            return f"{title} is saved as pending review."
        case Article.Status.PENDING:
            return f"{title} was submitted for review: an editor will publish it."
        case Article.Status.PRIVATE:
            return f"{title} is published privately: only signed-in editors see it."
    return f"{title} was saved as a draft."


@admin.register(Article)
class ArticleAdmin(EditConflictMixin, admin.ModelAdmin):
    class Media:
        js = ["js/publish-label.js"]

    form = ArticleAdminForm
    list_display = ("title", "visibility", "published_at", "author", "link_count", "updated_at")
    list_filter = (
        VisibilityFilter,
        "status",
        AuthorFilter,
        "categories",
        ("published_at", admin.DateFieldListFilter),
    )
    list_select_related = ("author",)
    search_fields = ("title", "slug", "body")
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("categories", "tags")
    # The magnifier opens the media library's thumbnails in a pop-up to pick from.
    raw_id_fields = ("featured_image",)
    inlines = (RelatedLinkInline,)
    actions = ("publish_selected", "unpublish_selected")
    fieldsets = (
        (None, {"fields": ("title", "slug", "featured_image", "body", "excerpt")}),
        ("Publishing", {"fields": ("status", "published_at", "author")}),
        ("Categories and tags", {"fields": ("categories", "tags")}),
    )

    def get_queryset(self, request):
        articles = super().get_queryset(request).annotate(link_count=Count("related_links"))
        return services.articles_for(request.user, articles)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or services.may_edit(request.user, obj))

    def has_publish_permission(self, request):
        return services.may_publish(request.user)

    def get_list_filter(self, request):
        if services.may_publish(request.user):
            return self.list_filter
        # An author sees only their own articles: nothing to filter by author.
        return [spec for spec in self.list_filter if spec is not AuthorFilter]

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not services.may_publish(request.user):
            # An author's articles are theirs: they cannot sign another's name.
            readonly += ("author",)
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return workflow_form(form, user=request.user, article=obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context["workflow_buttons"] = workflow_buttons(
            request.user, stored_status=form.stored_status, when=form.instance.published_at
        )
        if obj is not None and not form.stored_is_live:
            context["preview_url"] = reverse("blog:article-preview", args=[obj.pk])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if WORKFLOW_BUTTON in request.POST and not _is_popup(request):
            return self._after_workflow_save(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if WORKFLOW_BUTTON in request.POST and not _is_popup(request):
            return self._after_workflow_save(request, obj)
        return super().response_change(request, obj)

    def _after_workflow_save(self, request, obj):
        # Back to the article, as WordPress does: its preview and state are there.
        obj.refresh_from_db()
        by_publisher = services.may_publish(request.user)
        self.message_user(request, saved_message(obj, by_publisher=by_publisher), messages.SUCCESS)
        return redirect("admin:blog_article_change", obj.pk)

    @admin.display(description="state", ordering="status")
    def visibility(self, article):
        if article.status == Article.Status.PUBLISHED:
            return "Published" if article.is_live else "Scheduled"
        return article.get_status_display()

    @admin.display(description='"See also" links', ordering="link_count")
    def link_count(self, article):
        return article.link_count

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "author":
            # Authors are the newsroom's accounts, not every reader who ever signed up.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        if not change and not services.may_publish(request.user):
            obj.author = request.user
        # Through the service, so a publication is announced (newsletter) exactly once.
        article_save(article=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Categories and tags are saved after the article: bump `updated_at` so feeds
        # and the sitemap see the change in its last-modified time.
        Article.objects.filter(pk=form.instance.pk).update(updated_at=timezone.now())

    @admin.action(description="Publish selected articles", permissions=["publish"])
    def publish_selected(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article_publish(article=article)
            # In the admin's history like a save from the form: the edit-conflict message
            # (core/editing.py) names whoever saved last from it.
            self.log_change(request, article, [{"changed": {"fields": ["Status"]}}])
            count += 1
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    @admin.action(
        description="Unpublish selected articles (back to draft)", permissions=["publish"]
    )
    def unpublish_selected(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article_unpublish(article=article)
            self.log_change(request, article, [{"changed": {"fields": ["Status"]}}])
            count += 1
        self.message_user(request, f"{count} article(s) moved back to draft.", messages.SUCCESS)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "nav_order", "article_count")
    list_editable = ("nav_order",)
    ordering = ("name", "pk")  # explicit: the article count's GROUP BY drops Meta.ordering
    list_select_related = ("parent",)
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("parent",)
    fields = ("name", "slug", "parent", "description", "nav_order")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, category):
        return category.article_count


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "article_count")
    ordering = ("name", "pk")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fields = ("name", "slug")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, tag):
        return tag.article_count


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: the list page leads straight to it."""

    fields = ("name", "tagline")

    def changelist_view(self, request, extra_context=None):
        site = SiteSettings.load()
        return redirect("admin:blog_sitesettings_change", site.pk)

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
