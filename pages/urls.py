from django.urls import path, register_converter

from pages import views


class PagePathConverter:
    """Slugs joined by slashes: `about`, `about/team`.

    Only such paths can be a page's, so anything else (dots, `..`, odd characters)
    never matches, and APPEND_SLASH cannot turn a hostile path into a redirect.
    """

    regex = r"[-\w]+(?:/[-\w]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(PagePathConverter, "page_path")

app_name = "pages"

urlpatterns = [
    path("<page_path:path>/", views.PageView.as_view(), name="page"),
]
