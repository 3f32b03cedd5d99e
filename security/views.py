from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKED_OUT_MESSAGE = (
    "Too many failed sign-in attempts from your address. Sign-in is paused; "
    "try again later, or ask an administrator to release the lock."
)


def login_locked_out(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """django-axes' answer to a locked-out login: 429, a plain message and Retry-After.

    Every attempt during the lock-out starts the cool-off again
    (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the whole cool-off is the wait.
    """
    cool_off = get_cool_off(request)
    response = render(
        request,
        "security/locked_out.html",
        {
            "message": LOCKED_OUT_MESSAGE,
            "cool_off_minutes": round(cool_off.total_seconds() / 60) if cool_off else None,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
