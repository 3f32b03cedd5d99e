from django.contrib import admin
from django.urls import include, path

from security.forms import AdminLoginForm

admin.site.site_header = "Broadsheet administration"
admin.site.site_title = "Broadsheet"
admin.site.login_form = AdminLoginForm  # over-long input gets the form's error, not a 500

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("blog.urls")),
]
