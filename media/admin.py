from django.contrib import admin
from django.template.loader import render_to_string

from media import renditions, services, usage
from media.forms import ImageUploadForm
from media.models import Image

THUMBNAIL_WIDTH = 480  # the smallest rendition; shown 160 px wide


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    """The media library: thumbnails, searchable by title, caption, credit and alt text.
    Articles pick their featured image from it (a pop-up of this list)."""

    list_display = ("thumbnail", "title", "credit", "dimensions", "uploaded_at", "uploaded_by")
    list_display_links = ("thumbnail", "title")
    list_select_related = ("uploaded_by",)
    list_per_page = 48
    search_fields = ("title", "caption", "credit", "alt_text")
    date_hierarchy = "uploaded_at"
    readonly_fields = ("preview", "dimensions", "body_marker", "uploaded_at", "uploaded_by")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ImageUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        described = ("title", "alt_text", "caption", "credit")
        focal = ("Crop hint", {"fields": (("focal_x", "focal_y"),)})
        if obj is None:
            return ((None, {"fields": ("upload", *described)}), focal)
        return (
            (None, {"fields": ("preview", *described)}),
            focal,
            (
                "File",
                {"fields": ("dimensions", "body_marker", "uploaded_at", "uploaded_by")},
            ),
        )

    @admin.display(description="picture")
    def thumbnail(self, image):
        return render_to_string(
            "admin/media/_thumbnail.html",
            {"image": image, "rendition": renditions.rendition(image, THUMBNAIL_WIDTH)},
        )

    @admin.display(description="picture")
    def preview(self, image):
        return render_to_string(
            "admin/media/_thumbnail.html",
            {"image": image, "rendition": renditions.rendition(image, 800), "large": True},
        )

    @admin.display(description="size")
    def dimensions(self, image):
        return f"{image.width} × {image.height} px"

    @admin.display(description="in an article's text")
    def body_marker(self, image):
        return render_to_string("admin/media/_body_marker.html", {"image": image})

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            if {"focal_x", "focal_y"} & set(form.changed_data):
                # The teaser crops are cut around the focal point: cut them again.
                services.image_renditions_schedule(obj)
            return
        services.image_save_new(
            image=obj,
            prepared=form.prepared,
            stored_name=form.stored_name,
            uploaded_by=request.user,
        )

    def get_deleted_objects(self, objs, request):
        to_delete, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        for image in objs:
            protected.extend(
                f"{item} (shows “{image.title}” in its text)" for item in usage.uses(image)
            )
        return to_delete, model_count, perms_needed, protected
