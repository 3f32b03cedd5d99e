from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from pages.models import Page


class PageView(DetailView):
    template_name = "pages/page.html"

    def get_object(self, queryset=None):
        return get_object_or_404(Page.objects.published(), path=self.kwargs["path"])
