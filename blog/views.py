import re
from typing import NamedTuple

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView

from blog import archives, context_processors, search
from blog.models import Article, OldSlug
from core import fragments

ARTICLES_PER_PAGE = 10
ARTICLE_FIELDS = [field.name for field in Article._meta.concrete_fields]
PUBLIC_AUTHOR_FIELDS = ("username", "first_name", "last_name")


class PaginatedListView(ListView):
    """A list in pages of ARTICLES_PER_PAGE. A page number is ASCII digits (or "last"):
    Python's int() also reads "١" or "１" as 1, which would give page 1 a second address."""

    paginate_by = ARTICLES_PER_PAGE
    no_results = "No articles here yet."

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


_PAGE_NUMBER = re.compile(r"[0-9]{1,6}")  # as core.pagecache's _PAGE_QUERY


class Listing(NamedTuple):
    """A page of article summaries, rendered (the list and its pagination)."""

    html: str
    page_number: int


class ArticleListView(PaginatedListView):
    """The home page: published articles, newest first."""

    template_name = "blog/article_list.html"
    context_object_name = "articles"
    no_results = "Nothing has been published yet."

    def get(self, request, *args, **kwargs):
        # WordPress answers searches at its home address: /?s=words
        if "s" in request.GET:
            return SearchView.as_view()(request, *args, **kwargs)
        # The list is the same for every reader: rendered once per site version
        # (core/fragments.py), under the page's number as the page cache reads it (so
        # "?page=01" is page 1, not one more copy). Anything else renders, or 404s.
        page = request.GET.get(self.page_kwarg, "1")
        if _PAGE_NUMBER.fullmatch(page) or page == "last":
            key = page if page == "last" else int(page)
            listing = fragments.fragment(request, "home", key, self.render_listing)
        else:
            listing = self.render_listing()
        return self.render_to_response({"listing": listing, "page_number": listing.page_number})

    def get_template_names(self):
        return [self.template_name]  # not guessed from a queryset: a kept page has none

    def render_listing(self) -> Listing:
        self.object_list = self.get_queryset()
        context = self.get_context_data()
        html = render_to_string("blog/_summaries.html", context)
        return Listing(html, context["page_number"])

    def get_queryset(self):
        return Article.objects.published().newest_first().for_listing()


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
    """An article at its permalink. Editors may preview drafts and scheduled articles."""

    template_name = "blog/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        if self.is_editor:
            return Article.objects.select_related("author")
        # What readers are shown of the author, and no more: the article is kept in the
        # shared cache (core/fragments.py), which is no place for a password hash.
        return (
            Article.objects.published()
            .select_related("author")
            .only(*ARTICLE_FIELDS, *(f"author__{field}" for field in PUBLIC_AUTHOR_FIELDS))
        )

    @cached_property
    def is_editor(self) -> bool:
        return self.request.user.has_perm("blog.change_article")

    def get(self, request, *args, **kwargs):
        try:
            if self.is_editor:
                self.object = self.get_object()
                parts = self.render_parts(self.object)
            else:
                # What every reader sees alike, the article included: one read of the
                # cache per site version instead of the database (core/fragments.py).
                self.object, parts = fragments.fragment(
                    request, "article", kwargs["slug"], self.shared_article
                )
        except Http404:
            # A renamed article: its old permalink leads to the new one.
            old = OldSlug.objects.filter(slug=kwargs["slug"]).select_related("article").first()
            if old and self.get_queryset().filter(pk=old.article_id).exists():
                return redirect(old.article, permanent=True)
            raise
        if request.path != self.object.get_absolute_url():
            # Right slug, wrong date (the publication time was changed): one canonical URL.
            return redirect(self.object, permanent=True)
        context = self.get_context_data(object=self.object, parts=parts)
        return self.render_to_response(context)

    def shared_article(self) -> tuple[Article, dict[str, str]]:
        """The published article at this slug and its rendered parts (404 when none)."""
        article = self.get_object()
        return article, self.render_parts(article)

    def render_parts(self, article: Article) -> dict[str, str]:
        return article_parts(article, **context_processors.site(self.request))

    def get_context_data(self, **kwargs):
        if "parts" not in kwargs:  # the page rendered again around a sent form
            kwargs["parts"] = self.render_parts(self.object)
        context = super().get_context_data(**kwargs)
        context["is_preview"] = not self.object.is_live
        return context


def article_parts(article: Article, *, site, site_url) -> dict[str, str]:
    """The article page's parts that are the same for every reader, rendered: its
    sharing metadata, the article itself with its "See also" links, and "Related"."""
    prefetch_related_objects([article], "categories", "tags")
    links = article.related_links.select_related("target")
    leading_links, blocks = article.blocks_with_links(links)
    context = {
        "article": article,
        "site": site,
        "site_url": site_url,
        "leading_links": leading_links,
        "blocks": blocks,
        "related_articles": Article.objects.published().related_to(article),
    }
    return {
        part: render_to_string(f"blog/_article_{part}.html", context)
        for part in ("meta", "entry", "related")
    }


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
