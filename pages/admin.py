from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from blog.admin_forms import body_editor_widget
from core.editing import EditConflictMixin
from pages.models import Page


class ParentChoiceField(forms.ModelChoiceField):
    """Pages listed by address, so that two pages of one title can be told apart."""

    def label_from_instance(self, obj):
        return f"/{obj.path}/ – {obj.title}"


@admin.register(Page)
class PageAdmin(EditConflictMixin, admin.ModelAdmin):
    list_display = ("title", "address", "status", "menu_order", "updated_at")
    list_filter = ("status", ("parent", admin.RelatedOnlyFieldListFilter), "author")
    list_select_related = ("author",)
    search_fields = ("title", "slug", "path", "body")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("path",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "parent", "body")}),
        ("Publishing", {"fields": ("status", "published_at", "author", "menu_order")}),
    )

    @admin.display(description="address", ordering="path")
    def address(self, page):
        return page.get_absolute_url()

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "body":
            # The articles' visual editor; the model cleans the body on save whatever
            # the widget sends.
            kwargs["widget"] = body_editor_widget()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["form_class"] = ParentChoiceField
            kwargs["queryset"] = Page.objects.only("title", "path", "parent").order_by("path")
        if db_field.name == "author":
            # Authors are the newsroom's accounts, not every reader who ever signed up.
            kwargs["queryset"] = get_user_model().objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        return {"author": request.user.pk, **super().get_changeform_initial_data(request)}
