from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from blog.models import Article
from blog.views import ArticleDetailView
from comments import cookies
from comments.forms import CommentForm
from comments.models import Comment
from comments.services import CommentFlood, CommentRefused, Poster, comment_submit
from core.http import client_ip, user_agent
from security.crossorigin import protected_by_fetch_metadata


def render_article_with_form(
    request: HttpRequest, article: Article, form: CommentForm, *, status: int
) -> HttpResponse:
    """The article page again, its comment form bound to what the reader sent.

    Blog's own view renders it, so the page is the same one the reader came from; the
    comment section (our template tag) finds the bound form in the context.
    """
    view = ArticleDetailView()
    view.setup(request)
    view.object = article
    context = view.get_context_data(object=article, comment_form=form)
    return view.render_to_response(context, status=status)


@protected_by_fetch_metadata
@require_POST
def comment_post(request: HttpRequest, article_id: int) -> HttpResponse:
    """Leave a Reply: the form, the submit service, then back to the article (303)."""
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return render_article_with_form(request, article, form, status=400)

    token = cookies.author_token(request)
    is_new_token = not token
    if is_new_token:
        token = cookies.new_author_token()
    data = form.cleaned_data
    try:
        comment = comment_submit(
            article=article,
            author_name=data["author"],
            author_email=data["email"],
            author_url=data["url"],
            body=data["comment"],
            parent_id=data["comment_parent"],
            poster=Poster(
                ip_address=client_ip(request),
                user_agent=user_agent(request),
                author_token=token,
                is_new_token=is_new_token,
                user=request.user,
            ),
        )
    except CommentRefused as refusal:
        form.add_error(refusal.field, refusal.message)
        response = render_article_with_form(request, article, form, status=refusal.status_code)
        if isinstance(refusal, CommentFlood):
            response["Retry-After"] = str(refusal.retry_after)
        return response

    response = HttpResponseRedirect(comment.get_absolute_url(), status=303)
    cookies.keep_author_token(response, token)
    if comment.status != Comment.Status.APPROVED:
        # Whatever became of it (held, or trashed for a disallowed word), its poster sees
        # it "awaiting moderation": a spammer learns nothing from the answer.
        cookies.add_pending(request, response, comment.pk)
    if form.wants_cookies:
        cookies.remember_author(
            response, author=data["author"], email=data["email"], url=data["url"]
        )
    else:
        cookies.forget_author(response)
    return response
