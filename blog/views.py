from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import DetailView, ListView

from blog.models import Article, OldSlug

ARTICLES_PER_PAGE = 10


class ArticleListView(ListView):
    """The home page: published articles, newest first."""

    template_name = "blog/article_list.html"
    context_object_name = "articles"
    paginate_by = ARTICLES_PER_PAGE

    def get_queryset(self):
        return (
            Article.objects.published()
            .newest_first()
            .select_related("author")
            # The list shows title, date and excerpt: leave the bodies in the database.
            .defer("body", "body_blocks")
        )


class ArticleDetailView(DetailView):
    """An article at its permalink. Editors may preview drafts and scheduled articles."""

    template_name = "blog/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        if self.request.user.has_perm("blog.change_article"):
            articles = Article.objects.all()
        else:
            articles = Article.objects.published()
        return articles.select_related("author")

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
        context = self.get_context_data(object=self.object)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        links = self.object.related_links.select_related("target")
        context["leading_links"], context["blocks"] = self.object.blocks_with_links(links)
        context["is_preview"] = not self.object.is_live
        return context
