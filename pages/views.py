from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.views.generic import DetailView

from core.http import has_session
from media import body as media_body
from pages.models import Page


class PageView(DetailView):
    """A page at its address. Readers see published pages (the same document for every
    one of them, so shared caches may keep it: core/pagecache.py); editors also open
    private pages and preview drafts, in responses that stay private (they carry the
    session cookie)."""

    template_name = "pages/page.html"
    context_object_name = "page"

    @cached_property
    def readable(self):
        # Without the session cookie nobody is signed in, and asking would make the page
        # one that varies by cookie (core/pagecache.py).
        if has_session(self.request):
            return Page.objects.readable_by(self.request.user)
        return Page.objects.published()

    def get_object(self, queryset=None):
        return get_object_or_404(self.readable, path=self.kwargs["path"])

    def get_context_data(self, **kwargs):
        page = kwargs["object"]
        # Pages above this one that the reader may open: drafts' titles stay unseen.
        ancestors = self.readable.filter(path__in=page.ancestor_paths()).only("title", "path")
        return super().get_context_data(
            is_preview=not page.is_live,
            # Library pictures placed in the text become their <figure>s (one query).
            body=media_body.render_pictures([page.body])[0],
            ancestors=sorted(ancestors, key=lambda ancestor: ancestor.path.count("/")),
            subpages=self.readable.filter(parent=page).in_order().only("title", "path"),
            **kwargs,
        )
