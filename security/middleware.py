from django.conf import settings
from django.http import HttpRequest, HttpResponse

REQUEST_TOO_LARGE_MESSAGE = "The request body is too large for this site."


class RequestBodyLimitMiddleware:
    """Refuse a body longer than DATA_UPLOAD_MAX_MEMORY_SIZE with 413, before it is read.

    Django itself only raises RequestDataTooBig (a 400) once something reads the body,
    and does not count file parts of a multipart body at all; no endpoint here takes
    files, so the declared length is capped whatever the content type.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
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
