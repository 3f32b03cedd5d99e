from django.conf import settings
from django.http import HttpRequest, HttpResponse

REQUEST_TOO_LARGE_MESSAGE = "The request body is too large for this site."


class RequestBodyLimitMiddleware:
    """Refuse a body longer than DATA_UPLOAD_MAX_MEMORY_SIZE with 413, before it is read.

    Django itself only raises RequestDataTooBig (a 400) once something reads the body,
    and does not count file parts of a multipart body at all, so the declared length is
    capped whatever the content type. The paths in UPLOAD_BODY_PATHS (the media library
    in the admin, the one place taking files) may send up to UPLOAD_BODY_MAX_SIZE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and request.path_info.startswith(tuple(settings.UPLOAD_BODY_PATHS)):
            limit = max(limit, settings.UPLOAD_BODY_MAX_SIZE)
        if limit is not None and _content_length(request) > limit:
            return HttpResponse(
                REQUEST_TOO_LARGE_MESSAGE, status=413, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)


def _content_length(request: HttpRequest) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0


NUL_BYTE_MESSAGE = "The address contains a NUL byte, which no page on this site has."


class RejectNulBytesMiddleware:
    """Answer 400 to a path holding a NUL byte (%00).

    No page's address has one, and PostgreSQL cannot compare or store one: a NUL that
    reached a query through a path parameter (a user name in /author/<name>/) would raise
    instead of finding nothing. Query strings and form fields are the views' to judge
    (Django's form fields refuse NUL; the search answers it calmly).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path:
            return HttpResponse(
                NUL_BYTE_MESSAGE, status=400, content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)
