from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Broadsheet administration"
admin.site.site_title = "Broadsheet"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("blog.urls")),
]
