from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from blog import archives, search, services
from blog.models import Article, OldSlug
from core.http import has_session

ARTICLES_PER_PAGE = 10
# The front page: a lead story, then twenty teasers a page.
FRONT_PAGE_TEASERS = 20


class PaginatedListView(ListView):
    """A list in pages of ARTICLES_PER_PAGE. A page number is ASCII digits (or "last"):
    Python's int() also reads "١" or "１" as 1, which would give page 1 a second address."""

    paginate_by = ARTICLES_PER_PAGE
    no_results = "No articles here yet."

    def get(self, request, *args, **kwargs):
        # Page 1 has one address, the list's own: no cache keeps a second copy of it.
        if request.GET.get(self.page_kwarg) == "1" and len(request.GET) == 1:
            return redirect(request.path, permanent=True)
        return super().get(request, *args, **kwargs)

    def paginate_queryset(self, queryset, page_size):
        page = self.kwargs.get(self.page_kwarg) or self.request.GET.get(self.page_kwarg)
        if page is not None and page != "last" and not (page.isascii() and page.isdigit()):
            raise Http404("No such page.")
        return super().paginate_queryset(queryset, page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_number"] = context["page_obj"].number if context["page_obj"] else 1
        context["no_results"] = self.no_results
        return context


class ArticleListView(PaginatedListView):
    """The front page: the lead story, then the other published articles as teasers,
    newest first. The lead is left out of every page of the list, so no story shows
    twice and the pages do not shift when the lead changes."""

    template_name = "blog/article_list.html"
    context_object_name = "articles"
    paginate_by = FRONT_PAGE_TEASERS
    no_results = "Nothing has been published yet."

    def get(self, request, *args, **kwargs):
        # WordPress answers searches at its home address: /?s=words
        if "s" in request.GET:
            return SearchView.as_view()(request, *args, **kwargs)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.lead = Article.objects.published().lead()
        articles = Article.objects.published().newest_first().for_listing()
        return articles.exclude(pk=self.lead.pk) if self.lead else articles

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lead"] = self.lead if context["page_number"] == 1 else None
        return context


class SearchView(PaginatedListView):
    """Published articles matching ?s=words, best first, with the words marked."""

    template_name = "blog/search.html"
    context_object_name = "articles"

    def get_queryset(self):
        raw = self.request.GET.get("s")
        self.query = search.parse_query(raw or "") if raw is not None else None
        if self.query is None or self.query.error:
            return Article.objects.none()
        # The body is read for the snippet around the words.
        return Article.objects.published().search(self.query.text).for_listing().defer(None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.query
        context["query"] = query
        if query is not None and not query.error:
            context["results"] = search.results(context["articles"], query.words)
            context["page_query"] = f"{urlencode({'s': query.text})}&"
        if query is not None and not query.error and not context["results"]:
            context["message"] = search.NO_RESULTS_MESSAGE
        elif query is not None:
            context["message"] = query.error
        return context


class ArchiveView(PaginatedListView):
    """A category, tag, author or month archive: its published articles, newest first."""

    template_name = "blog/archive.html"
    context_object_name = "articles"

    def get_archive(self) -> archives.Archive:
        raise NotImplementedError

    def get_queryset(self):
        self.archive = self.get_archive()
        return self.archive.articles.newest_first().for_listing()

    def get_context_data(self, **kwargs):
        return super().get_context_data(archive=self.archive, **kwargs)


class CategoryArchiveView(ArchiveView):
    def get_archive(self):
        return archives.category_archive(self.kwargs["slug"])


class TagArchiveView(ArchiveView):
    def get_archive(self):
        return archives.tag_archive(self.kwargs["slug"])


class AuthorArchiveView(ArchiveView):
    allow_empty = False  # no page for someone who has published nothing

    def get_archive(self):
        return archives.author_archive(self.kwargs["username"])


class MonthArchiveView(ArchiveView):
    allow_empty = False  # as WordPress: an empty month is "not found"

    def get_archive(self):
        return archives.month_archive(self.kwargs["year"], self.kwargs["month"])


class ArticleDetailView(DetailView):
    """An article at its permalink. Editors may preview drafts and scheduled articles,
    authors their own."""

    template_name = "blog/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        if self.is_editor:
            return services.articles_visible_to(self.request.user).select_related("author")
        return Article.objects.published().select_related("author")

    @cached_property
    def is_editor(self) -> bool:
        # Without the session cookie nobody is signed in, and asking would make the
        # page one that varies by cookie (core/pagecache.py).
        return has_session(self.request) and self.request.user.has_perm("blog.change_article")

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            # A renamed article: its old permalink leads to the new one.
            old = OldSlug.objects.filter(slug=kwargs["slug"]).select_related("article").first()
            if old and self.get_queryset().filter(pk=old.article_id).exists():
                return redirect(old.article, permanent=True)
            raise
        if request.path != self.object.get_absolute_url():
            # Right slug, wrong date (the publication time was changed): one canonical URL.
            return redirect(self.object, permanent=True)
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        article = kwargs["object"]
        prefetch_related_objects([article], "categories", "tags")
        leading_links, blocks = article.blocks_with_links(
            article.related_links.select_related("target")
        )
        return super().get_context_data(
            is_preview=not article.is_live,
            leading_links=leading_links,
            blocks=blocks,
            related_articles=Article.objects.published().related_to(article),
            **kwargs,
        )


# One person's unpublished work: never kept by a proxy or the browser, never indexed.
@method_decorator(cache_control(private=True, no_store=True), name="dispatch")
@method_decorator(staff_member_required, name="dispatch")
@method_decorator(require_safe, name="dispatch")
class ArticlePreviewView(ArticleDetailView):
    """The saved draft, pending or scheduled article as readers will see it, with a
    notice, at an address of its own: the admin's "Preview" link. Editors preview any
    article, authors their own; anyone else gets the 404 page."""

    def get(self, request, *args, **kwargs):
        self.object = get_object_or_404(
            services.articles_visible_to(request.user).select_related("author"),
            pk=kwargs["pk"],
        )
        if self.object.is_live:
            return redirect(self.object)
        response = self.render_to_response(self.get_context_data(object=self.object))
        response["X-Robots-Tag"] = "noindex"
        return response


@require_safe
def robots_txt(request):
    """Crawlers: everything but the admin, and where the sitemap is."""
    lines = [
        "User-agent: *",
        f"Disallow: {reverse('admin:index')}",
        "",
        f"Sitemap: {settings.SITE_URL}{reverse('blog:sitemap')}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
