from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_http_methods, require_safe

from blog.models import Article
from blog.views import ArticleDetailView
from comments import cookies
from comments.forms import CommentForm
from comments.moderation_hash import poster_url
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


# No CSRF token: the form is on pages every reader shares. Cross-site posts are refused
# by their Fetch Metadata (security/crossorigin.py).
@protected_by_fetch_metadata
@require_http_methods(["GET", "HEAD", "POST"])
def comment_post(request: HttpRequest, article_id: int) -> HttpResponse:
    """Leave a Reply: the form, the submit service, then to the comment (303).

    A refused post shows the article again with the form (its action ends in #respond,
    so the browser lands there). Opening this address otherwise, say by reloading that
    page from the address bar, leads to the article.
    """
    article = get_object_or_404(Article.objects.published(), pk=article_id)
    if request.method != "POST":
        return redirect(article)
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

    # To an address only the poster has: there they see their comment at once, held or
    # not (whatever became of it: a comment trashed for a disallowed word shows as held
    # too, so a spammer learns nothing), rather than a shared copy of the page that a
    # cache may still hold.
    response = HttpResponseRedirect(poster_url(comment), status=303)
    cookies.keep_author_token(response, token)
    if form.wants_cookies:
        cookies.remember_author(
            response, author=data["author"], email=data["email"], url=data["url"]
        )
    else:
        cookies.forget_author(response)
    return response


# Fetch Metadata values of a request made by another site's page (or a sibling site's).
FOREIGN_FETCH_SITES = ("cross-site", "same-site")


@require_safe
def author_details(request: HttpRequest) -> HttpResponse:
    """The name, email and website this browser asked us to remember, as JSON (an empty
    object when none), for the comment form's script (static/js/comment-form.js).

    Only for our own pages: a request another site's page makes is refused, and the
    answer may not be embedded by another origin nor kept by any cache.
    """
    if request.headers.get("Sec-Fetch-Site") in FOREIGN_FETCH_SITES:
        return HttpResponseForbidden()
    response = JsonResponse(cookies.saved_author(request))
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
