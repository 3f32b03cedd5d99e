"""Whatever the open web sends to any public URL, the answer is a 4xx, never a 500.

The walk covers every URL pattern in config.urls (the admin aside: it sits behind a
login and the lock-out), so a new endpoint is covered without anyone remembering to.
Each pattern is requested with plausible parameters and with hostile ones, by every
method, with bodies that are empty, binary, mislabelled, oversized or full of NUL bytes.
"""

import re
from itertools import count

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

from comments.forms import PARENT_INVALID
from security.middleware import NUL_BYTE_MESSAGE, REQUEST_TOO_LARGE_MESSAGE
from tests.factories.blog import ArticleFactory, CategoryFactory, TagFactory, UserFactory
from tests.factories.comments import CommentFactory

pytestmark = pytest.mark.django_db

SKIPPED_NAMESPACES = {"admin"}

# Values a path parameter is tried with, after the plausible one.
HOSTILE_PARAMETERS = [
    "0",
    "00",
    "-1",
    "9999",
    "99999999999999999999999999",
    "a" * 2000,
    "null",
    "..",
    "<script>",
    "' OR 1=1 --",
    "ü",
    "\x00",
    "%00",
    "¹",  # a digit to str.isdigit(), not to int()
    "MQ:1tX2uY:abcdefghijklmnopqrstuvwxyz0123456789",  # looks signed, is not
]
# Plausible values for parameters no real object provides.
GENERIC_PARAMETERS = ["1", "abc", "MQ:1tX2uY:abcdefghijklmnopqrstuvwxyz0123456789"]

HOSTILE_TEXT = [
    "\x00",
    "before\x00after",
    "x" * 100_000,
    "<script>alert(1)</script>",
    "\u202egnp.exe\ufeff",
    "😀" * 2000,
    "' OR 1=1 --",
    "%s%n%x",
    "../../etc/passwd",
    "   ",
    "not-an-email@",
    "-1",
    "¹²",
    "99999999999999999999999999",
]
# Values tried for every query parameter the site's own links use (?page=, ?replytocom=…).
HOSTILE_QUERY_VALUES = ["abc", "0", "-1", "¹", "99999999999999999999", "%00", "%ff", "x" * 3000]
QUERY_STRINGS = [
    "page=abc",
    "page=0",
    "page=-1",
    "page=99999999999999999999",
    "page=%00",
    "page=1&page=2",
    "%00=%00",
    "unknown=1&utm_source=feed&fbclid=x",
    "q=%ff%fe%fd",
    "a=" + "x" * 8000,
    "next=https://evil.example/",
]
GENERIC_FIELDS = ["name", "email", "body", "comment", "text", "url", "website", "parent",
                  "article", "token", "page", "next", "action"]  # fmt: skip
GENERIC_QUERY_NAMES = ["page", "replytocom", "s", "p", "source", "next"]
_QUERY_NAME = re.compile(r"[?&](?:amp;)?([A-Za-z_][\w-]*)=")
_FIELD_NAME = re.compile(r"<(?:input|textarea|select)\b[^>]*\bname=\"([^\"]+)\"")


def _walk(patterns, namespaces=(), regex=""):
    """(name, combined regex) for every named URL pattern outside the skipped namespaces."""
    for entry in patterns:
        entry_regex = regex + entry.pattern.regex.pattern.lstrip("^").rstrip("$").rstrip("\\Z")
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, inner, entry_regex)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"unnamed URL pattern {entry.pattern}: name it to be walked"
            yield ":".join((*namespaces, entry.name)), entry_regex


def _reverse_or_none(name, kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _urls(samples):
    """(pattern name, URLs): the plausible URL first, then hostile variants."""
    walked = []
    for name, regex in _walk(get_resolver().url_patterns):
        parameters = list(re.compile(regex).groupindex)
        plausible = {p: (samples.get(p) or GENERIC_PARAMETERS)[0] for p in parameters}
        for parameter in parameters:
            candidates = [*samples.get(parameter, []), *GENERIC_PARAMETERS, *HOSTILE_PARAMETERS]
            for candidate in candidates:
                if _reverse_or_none(name, {**plausible, parameter: candidate}):
                    plausible[parameter] = candidate
                    break
        urls = [_reverse_or_none(name, plausible)] if parameters else [reverse(name)]
        for parameter in parameters:
            for value in HOSTILE_PARAMETERS:
                urls.append(_reverse_or_none(name, {**plausible, parameter: value}))
        walked.append((name, [url for url in dict.fromkeys(urls) if url]))
    return walked


def _samples():
    """Real objects' URL parameters, so plausible URLs reach past the 404.

    The article has an approved comment, so its page shows reply links and a thread.
    """
    samples = {}
    category, tag = CategoryFactory(), TagFactory()
    author = UserFactory(editor=True)
    article = ArticleFactory(author=author, categories=[category], tags=[tag])
    CommentFactory(article=article, approved=True)
    archives = [reverse(name, args=[obj]) for name, obj in
                (("blog:category", category.slug), ("blog:tag", tag.slug),
                 ("blog:author", author.username))]  # fmt: skip
    for url in (article.get_absolute_url(), *archives):
        for key, value in resolve(url).kwargs.items():
            samples.setdefault(key, []).append(str(value))
    return samples


FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data; boundary=B"
RAW_BODIES = [
    ("invalid UTF-8 form", b"name=%ff%fe&email=\xff\xfe@x&body=\xc3\x28", FORM),
    ("form, unknown charset", b"name=x", f"{FORM}; charset=nope-42"),
    ("NUL bytes", b"\x00" * 1000, FORM),
    ("JSON", b'{"name": "x", "body": [1, {}]}', "application/json"),
    ("broken JSON", b"{", "application/json"),
    ("XML entity", b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'a'>]><x>&a;</x>", "text/xml"),
    ("plain text", "body=ü".encode(), "text/plain"),
    ("no content type", b"name=x", ""),
    ("multipart without boundary", b"--x\r\n\r\n", "multipart/form-data"),
    ("multipart garbage", b"\xff" * 500, MULTIPART),
    (
        "multipart truncated",
        b'--B\r\nContent-Disposition: form-data; name="body"\r\n\r\nhi',
        MULTIPART,
    ),
    (
        "multipart with a file",
        b'--B\r\nContent-Disposition: form-data; name="body"; filename="x.exe"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\nMZ\x00\x00\r\n--B--\r\n",
        MULTIPART,
    ),
    ("too many fields", "&".join(f"f{n}=1" for n in range(1200)).encode(), FORM),
]
ODD_HEADERS = [
    ("bad cookies", {"Cookie": "sessionid=\x00; csrftoken=" + "z" * 5000}),
    ("odd headers", {"Accept-Language": "\x00;q=abc,*" * 50, "If-Modified-Since": "yesterday"}),
    ("bad range", {"Range": "bytes=9-1"}),
    ("unknown host", {"Host": "evil.example"}),
    ("forged forwarding", {"X-Forwarded-For": "\x00, not-an-ip", "X-Forwarded-Proto": "gopher"}),
]


def _bad_requests(url, fields, query_names=()):
    """(label, callable(client) -> response) for every bad request sent to `url`."""
    queries = [*QUERY_STRINGS]
    queries += [f"{name}={value}" for name in query_names for value in HOSTILE_QUERY_VALUES]
    requests = [("GET", lambda c: c.get(url))]
    requests += [(f"GET ?{q[:30]}", lambda c, q=q: c.get(f"{url}?{q}")) for q in queries]
    requests += [
        (f"GET {label}", lambda c, h=headers: c.get(url, headers=h))
        for label, headers in ODD_HEADERS
    ]
    for method in ("HEAD", "OPTIONS", "DELETE", "TRACE", "PROPFIND", "BREW"):
        requests.append((method, lambda c, m=method: c.generic(m, url)))
    for method in ("PUT", "PATCH"):
        requests.append((method, lambda c, m=method: c.generic(m, url, b"name=x", FORM)))
    requests.append(("POST empty", lambda c: c.post(url)))
    for text in HOSTILE_TEXT:
        data = dict.fromkeys(fields, text)
        requests.append((f"POST fields={text[:20]!r}", lambda c, d=data: c.post(url, d)))
    for label, body, content_type in RAW_BODIES:
        requests.append(
            (f"POST {label}", lambda c, b=body, t=content_type: c.generic("POST", url, b, t))
        )
    requests.append(
        (
            "POST lying Content-Length",
            lambda c: c.generic("POST", url, b"name=x", FORM, CONTENT_LENGTH="abc"),
        )
    )
    return requests


def _oversized():
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    return [
        ("form", b"a" * size, FORM),
        ("multipart file", b"--B\r\n" + b"a" * size, MULTIPART),
        ("binary", b"\x00" * size, "application/octet-stream"),
    ]


def _names_on(client, urls):
    """Form field names and link query parameters the site's pages use, plus common ones."""
    fields, query_names = set(GENERIC_FIELDS), set(GENERIC_QUERY_NAMES)
    for url in urls:
        html = client.get(url).content.decode(errors="replace")
        fields.update(_FIELD_NAME.findall(html))
        query_names.update(_QUERY_NAME.findall(html))
    fields.discard("csrfmiddlewaretoken")
    return sorted(fields), sorted(query_names)


FORGED_FORWARDING = "\x00, not-an-ip, " + "9" * 60
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


@pytest.mark.parametrize("behind_proxy", [False, True], ids=["direct", "behind-proxy"])
def test_no_request_to_any_public_url_gets_a_server_error(capsys, settings, behind_proxy):
    # Behind a trusted proxy a forged X-Forwarded-For reaches client_ip() and whatever
    # stores the address; that run sends it with every request, and needs only the
    # requests that reach a view (the full list runs without it).
    headers = {}
    if behind_proxy:
        settings.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
        headers = {"X-Forwarded-For": FORGED_FORWARDING}
    walked = _urls(_samples())
    client = Client(raise_request_exception=False, headers=headers)
    strict_client = Client(raise_request_exception=False, enforce_csrf_checks=True, headers=headers)
    fields, query_names = _names_on(client, [urls[0] for _name, urls in walked])
    tried = count()
    failures = []

    for _name, urls in walked:
        for position, url in enumerate(urls):
            if position and behind_proxy:
                continue  # hostile paths were walked directly; the address is the point here
            requests = _bad_requests(url, fields, query_names)
            posts = [r for r in requests if r[0].startswith("POST fields")]
            if behind_proxy:  # what reaches a view that may record the address
                requests = requests[:3] + posts
            elif position:  # a hostile path parameter: the common requests suffice
                requests = requests[:3] + posts[:2]
            for label, send in requests:
                # CSRF enforcement changes only what happens to unsafe methods.
                safe = label.split()[0] in SAFE_METHODS
                for each in (client,) if safe else (client, strict_client):
                    cache.clear()  # rate limits would hide what lies behind them
                    response = send(each)
                    next(tried)
                    if response.status_code >= 500:
                        failures.append((url[:80], label, response.status_code))

    assert not failures, failures
    total = next(tried)
    with capsys.disabled():
        print(
            f"\nhostile-request walk ({'behind a proxy' if behind_proxy else 'direct'}): "
            f"{len(walked)} URL patterns, {total} requests, no 5xx"
        )


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_oversized_body_is_refused_with_413_on_every_public_url(client, method):
    client.raise_request_exception = False
    for _name, urls in _urls(_samples()):
        for label, body, content_type in _oversized():
            response = client.generic(method, urls[0], body, content_type)

            assert response.status_code == 413, (urls[0], label)
            assert response.content.decode() == REQUEST_TOO_LARGE_MESSAGE
            assert response["X-Content-Type-Options"] == "nosniff"
            assert "Content-Security-Policy" in response


def test_body_just_under_the_cap_is_read_normally(client):
    url = reverse("blog:article-list")
    body = b"a=" + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE - 2)

    response = client.generic("POST", url, body, FORM)

    assert response.status_code == 405  # the list view takes no POST: it got that far


RAW_PATHS = [
    "/%00/",
    "/%ff%fe/",
    "/" + "a" * 5000 + "/",
    "/../../etc/passwd",
    "/2024/13/45/some-slug/",
    "/0000/00/00/x/",
    "/2024/01/01/" + "a" * 3000 + "/",
    "/comments/%00",
    "/newsletter/%ff",
    "/static/../config/settings.py",
]


def test_hostile_paths_get_a_client_error(client):
    client.raise_request_exception = False
    for path in RAW_PATHS:
        response = client.get(path)

        assert 400 <= response.status_code < 500, (path, response.status_code)


@pytest.mark.parametrize("value", ["¹", "²³", "٣"])
def test_non_ascii_digits_as_a_comment_to_reply_to_get_a_page_not_a_crash(client, value):
    comment = CommentFactory(approved=True)
    article = comment.article

    shown = client.get(article.get_absolute_url(), {"replytocom": value})
    posted = client.post(
        reverse("comments:post", args=[article.pk]),
        {"comment": "Hi", "author": "A", "email": "a@example.net", "comment_parent": value},
    )

    assert shown.status_code == 200
    assert posted.status_code == 400
    html = posted.content.decode()
    assert PARENT_INVALID in html
    assert "Hi</textarea>" in html  # what the reader typed is kept


@pytest.mark.parametrize("path", ["/author/%00/", "/author/a%00b/feed/", "/tag/%00/", "/%00"])
def test_nul_byte_in_the_path_is_a_400_before_any_query(client, path):
    UserFactory(username="writer", editor=True)

    response = client.get(path)

    assert response.status_code == 400
    assert response.content.decode() == NUL_BYTE_MESSAGE
