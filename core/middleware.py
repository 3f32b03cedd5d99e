"""A database that cannot be reached answers 503 with a plain page, not a traceback."""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

logger = logging.getLogger("core.database")

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """Turn a lost database connection in a view into "503 Service Unavailable".

    The page is rendered without a request context, so nothing on it needs the
    database (no site name from the settings row). Pages in the page cache are still
    served while the database is down: this only answers what had to be rendered.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        return database_unavailable(request, exception)


def database_unavailable(request, exception) -> HttpResponse:
    """The 503 page for a lost database, rendered without touching it."""
    logger.error("Database unavailable for %s: %s", request.path, exception)
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def page_not_found(request, exception):
    """Django's 404 view (settings.handler404), unless the database is lost.

    A path no URL pattern matches never reaches a view, so the middleware above does
    not see the error the 404 page's own queries (the site's name) raise: without this,
    such a path would answer 500 while the database is down.
    """
    try:
        return defaults.page_not_found(request, exception)
    except (OperationalError, InterfaceError) as error:
        return database_unavailable(request, error)
