from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.shortcuts import redirect
from django.utils import timezone

from blog.admin_forms import ArticleAdminForm
from blog.models import Article, Category, RelatedLink, SiteSettings, Tag
from blog.services import article_publish, article_save, article_unpublish


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
        return [("live", "Live"), ("scheduled", "Scheduled"), ("draft", "Draft")]

    def queryset(self, request, queryset):
        match self.value():
            case "live":
                return queryset.published()
            case "scheduled":
                return queryset.scheduled()
            case "draft":
                return queryset.drafts()
        return queryset


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = ("title", "visibility", "published_at", "author", "link_count", "updated_at")
    list_filter = (
        VisibilityFilter,
        "status",
        "author",
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
        return super().get_queryset(request).annotate(link_count=Count("related_links"))

    @admin.display(description="state", ordering="status")
    def visibility(self, article):
        if article.status == Article.Status.DRAFT:
            return "Draft"
        return "Published" if article.is_live else "Scheduled"

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
        # Through the service, so a publication is announced (newsletter) exactly once.
        article_save(article=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Categories and tags are saved after the article: bump `updated_at` so feeds
        # and the sitemap see the change in its last-modified time.
        Article.objects.filter(pk=form.instance.pk).update(updated_at=timezone.now())

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish_selected(self, request, queryset):
        count = 0
        for article in queryset.exclude(status=Article.Status.PUBLISHED):
            article_publish(article=article)
            count += 1
        self.message_user(request, f"{count} article(s) published.", messages.SUCCESS)

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish_selected(self, request, queryset):
        count = 0
        for article in queryset.filter(status=Article.Status.PUBLISHED):
            article_unpublish(article=article)
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
