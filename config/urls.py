from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from blog.sitemaps import SITEMAPS
from pages.sitemaps import PageSitemap
from security.forms import AdminLoginForm

admin.site.site_header = "Broadsheet administration"
admin.site.site_title = "Broadsheet"
admin.site.login_form = AdminLoginForm  # over-long input gets the form's error, not a 500

# sitemap.xml is blog's (blog.urls serves SITEMAPS); the project adds the sections of the
# apps blog does not know, here where every app is known.
SITEMAPS.setdefault("pages", PageSitemap)

# A 404 page rendered while the database is down answers 503, as views do.
handler404 = "core.middleware.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("newsletter/", include("newsletter.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("blog.urls")),
    # Last: a page's address is any path the site does not otherwise answer.
    path("", include("pages.urls")),
]

# Uploaded pictures under `make run` (DEBUG); in production nginx serves MEDIA_ROOT, or
# they live in object storage (README: "Pictures"). `static()` adds nothing otherwise.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
