"""The old WordPress site's addresses, answered with a permanent redirect to what stands
there now.

Two kinds of old address:

- a path the site no longer answers (a post's permalink under another scheme, a slug in
  `_wp_old_slug`, a nested category archive): looked up in `LegacyPath` only once the
  site has answered 404, or 301 to another path (an article's slug under another date:
  the old site's post there wins over that guess), so a page that exists costs nothing;
- WordPress's query forms at the front page (`/?p=12`, `/?page_id=2`, `/?cat=5`,
  `/?tag=slug`, `/?author=3`, `/?attachment_id=9`): looked up in `ImportedItem` only when
  one of those keys is in the query string, because `/` itself always exists.

The redirect always goes to the object's own address on this site (never to anything
taken from the request), and only to an object readers may see: a draft, a private
page or an author who has published nothing answers 404, so no unpublished address
leaks. The answer is the same for every reader, so a shared cache may keep it as long
as it keeps pages (core/pagecache.py).
"""

from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.cache import patch_cache_control

from blog.archives import author_url
from blog.models import Article, Category, Tag
from core.http import has_session
from media.models import Image
from pages.models import Page
from wordpress.models import ImportedItem, LegacyPath

Kind = ImportedItem.Kind

# WordPress's query keys at the front page, and what each names (`tag` names a slug,
# the others an id).
QUERY_KINDS: dict[str, tuple[str, ...]] = {
    "p": (Kind.POST, Kind.PAGE, Kind.ATTACHMENT),
    "page_id": (Kind.PAGE,),
    "cat": (Kind.CATEGORY,),
    "author": (Kind.AUTHOR,),
    "attachment_id": (Kind.ATTACHMENT,),
}
QUERY_KEYS = frozenset({*QUERY_KINDS, "tag"})
MAX_ID_DIGITS = 19  # PositiveBigIntegerField
NUL = "\x00"
# A lost database (core.middleware.DatabaseUnavailableMiddleware answers 503 for views).
UNREACHABLE = (OperationalError, InterfaceError)


def legacy_path(url: str) -> str:
    """The form `LegacyPath.path` is stored in: the path of `url` (a full URL or a path),
    percent-decoded, starting with a slash. The query and fragment are dropped."""
    path = unquote(urlsplit(url).path) or "/"
    return path if path.startswith("/") else f"/{path}"


def _path_candidates(path: str) -> list[str]:
    """`path` as the request gave it, with and without its trailing slash, decoded and
    percent-encoded (WordPress writes non-ASCII slugs encoded, in lower case)."""
    decoded = legacy_path(path)
    forms = {decoded}
    if decoded != "/":
        forms.add(decoded.rstrip("/") if decoded.endswith("/") else f"{decoded}/")
    for form in list(forms):
        encoded = quote(form, safe="/")
        forms.update({encoded, _lower_escapes(encoded)})
    return sorted(forms)


def _lower_escapes(encoded: str) -> str:
    parts = encoded.split("%")
    return parts[0] + "".join(f"%{part[:2].lower()}{part[2:]}" for part in parts[1:])


def public_url(target) -> str | None:
    """Where readers find `target` now, or None when they may not see it."""
    match target:
        case Article():
            return target.get_absolute_url() if target.is_live else None
        case Page():
            return target.get_absolute_url() if target.is_live else None
        case Category() | Tag():
            return target.get_absolute_url()
        case Image():
            return target.file.url if target.file else None
    if isinstance(target, get_user_model()):
        # The archive exists only for someone who has published something.
        published = Article.objects.published().filter(author=target).exists()
        return author_url(target) if published else None
    return None


def _target_of(content_type_id: int, object_id: int):
    content_type = ContentType.objects.get_for_id(content_type_id)
    if content_type.model_class() is None:  # its app was removed since the import
        return None
    try:
        return content_type.get_object_for_this_type(pk=object_id)
    except ObjectDoesNotExist:  # deleted here since the import
        return None


def path_redirect_url(path: str) -> str | None:
    """The current address of what stood at the old `path`, if readers may see it."""
    if NUL in legacy_path(path):
        # `%2500` survives the request's own decoding as `%00`; no WordPress address
        # holds a NUL, and PostgreSQL refuses one in a query.
        return None
    row = (
        LegacyPath.objects.filter(path__in=_path_candidates(path))
        .values_list("content_type_id", "object_id")
        .first()
    )
    if row is None:
        return None
    target = _target_of(*row)
    return public_url(target) if target is not None else None


def query_redirect_url(query) -> str | None:
    """The current address of what WordPress's query (`?p=12`, `?tag=slug`…) named, if
    readers may see it. Raises Http404 when the query names nothing readers may see, as
    WordPress answers an unknown id."""
    for key, kinds in QUERY_KINDS.items():
        value = query.get(key)
        if value is None:
            continue
        if not (value.isascii() and value.isdigit() and len(value) <= MAX_ID_DIGITS):
            raise Http404("No such WordPress id.")
        # Several exported sites may share ids: the latest import wins.
        row = (
            ImportedItem.objects.filter(kind__in=kinds, wp_id=int(value))
            .order_by("-imported_at", "-pk")
            .values_list("content_type_id", "object_id")
            .first()
        )
        target = _target_of(*row) if row else None
        url = public_url(target) if target is not None else None
        if url is None:
            raise Http404("No such WordPress id.")
        return url
    if (slug := query.get("tag")) is not None:
        if NUL in slug:  # PostgreSQL refuses one in a query; no slug holds one
            raise Http404("No such tag.")
        tag = Tag.objects.filter(slug=slug).first()
        url = tag.get_absolute_url() if tag else path_redirect_url(f"/tag/{slug}/")
        if url is None:
            raise Http404("No such tag.")
        return url
    return None


def _moves_elsewhere(request, response) -> bool:
    """Whether a view's 301 leads to another path, not just the same one with a slash added
    (APPEND_SLASH) or without its query (a list's ?page=1)."""
    return urlsplit(response["Location"]).path.rstrip("/") != request.path.rstrip("/")


def redirect_to(request, url: str) -> HttpResponsePermanentRedirect:
    response = HttpResponsePermanentRedirect(url)
    if has_session(request):
        # Not per-reader, but core/pagecache.py keeps nothing asked for with a session.
        patch_cache_control(response, private=True, no_cache=True)
    else:
        patch_cache_control(
            response, public=True, max_age=0, s_maxage=settings.SHARED_CACHE_SECONDS
        )
    return response


class LegacyRedirectMiddleware:
    """Answers the old site's addresses (see the module's docstring). Sits inside the
    page cache, which leaves the Cache-Control set here alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "legacy_path_checked", False):
            return response
        if response.status_code == 404:
            # A path no view matched (a view's own 404 came through process_exception).
            return self._old_path(request) or response
        if response.status_code == 301 and _moves_elsewhere(request, response):
            # The site's own guess (an article's slug under another date) loses to what
            # the old site had at that address: an imported post whose slug was taken
            # here is the other article's slug under its own old date. Redirects are
            # rare, so the look-up costs pages nothing.
            return self._old_path(request) or response
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Here rather than in __call__: every middleware has seen the request, so the
        # 404 page for an unknown id renders as any other (it may ask who is signed in).
        if (
            request.method in ("GET", "HEAD")
            and request.path_info == "/"
            and not QUERY_KEYS.isdisjoint(request.GET)
        ):
            try:
                url = query_redirect_url(request.GET)
            except UNREACHABLE:
                return None  # the front page's view meets it too, and answers 503
            if url is not None:
                request.legacy_path_checked = True  # this is the old address's answer
                return redirect_to(request, url)
        return None

    def process_exception(self, request, exception):
        # Before the 404 page is rendered: a redirect need not pay for it.
        return self._old_path(request) if isinstance(exception, Http404) else None

    @staticmethod
    def _old_path(request):
        request.legacy_path_checked = True
        if request.method not in ("GET", "HEAD"):
            return None
        try:
            url = path_redirect_url(request.path_info)
        except UNREACHABLE:
            return None  # the 404 stands: a lost database must not turn it into a 500
        if url is None or url == request.path:
            return None
        return redirect_to(request, url)
