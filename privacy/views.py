"""The reader's privacy form and the confirmation link. A link from an email never acts on
a GET (mail scanners follow links): the GET shows a button, the button's POST acts."""

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from core import ratelimit
from core.http import client_ip
from privacy import services, tokens
from privacy.forms import PrivacyRequestForm
from privacy.models import PrivacyRequest, email_digest
from security.crossorigin import protected_by_fetch_metadata

RATE_LIMITED = "Too many requests just now. Please try again later."
LINK_TAMPERED = "This link is not valid. Please copy the whole link from the email."
LINK_UNKNOWN = "This link does not match any request."
LINK_EXPIRED = "This link has expired. Please make your request again."
LINK_USED = "This request has already been carried out."


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def _problem(request, message: str, status: int):
    return render(request, "privacy/link_problem.html", {"message": message}, status=status)


@protected_by_fetch_metadata
@require_http_methods(["GET", "POST"])
def request_form(request):
    if request.method == "GET":
        return render(request, "privacy/request.html", {"form": PrivacyRequestForm()})
    form = PrivacyRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "privacy/request.html", {"form": form}, status=400)
    hour = settings.PRIVACY_REQUEST_RATE_SECONDS
    # Per client, and per address so nobody can flood someone's inbox from many clients.
    wait = ratelimit.hit(
        "privacy-request", client_ip(request), ratelimit.Limit(settings.PRIVACY_REQUEST_RATE, hour)
    ) or ratelimit.hit(
        "privacy-address",
        email_digest(form.cleaned_data["email"]),
        ratelimit.Limit(settings.PRIVACY_REQUEST_RATE, hour),
    )
    if wait:
        form.add_error(None, RATE_LIMITED)
        response = render(request, "privacy/request.html", {"form": form}, status=429)
        response["Retry-After"] = str(wait)
        return response
    services.privacy_request_start(
        email=form.cleaned_data["email"],
        kind=form.cleaned_data["kind"],
        comments=settings.PRIVACY_ERASE_COMMENTS,
    )
    # The same answer whatever we hold: nobody learns whose address is known here.
    return HttpResponseSeeOther(reverse("privacy:check-inbox"))


def check_inbox(request):
    return render(request, "privacy/check_inbox.html")


@protected_by_fetch_metadata
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    try:
        privacy_request = tokens.request_to_confirm(token)
    except tokens.TokenInvalid:
        return _problem(request, LINK_TAMPERED, 400)
    except tokens.TokenUnknown:
        return _problem(request, LINK_UNKNOWN, 404)
    except tokens.TokenExpired:
        return _problem(request, LINK_EXPIRED, 410)
    if privacy_request.is_done:
        return _problem(request, LINK_USED, 410)
    is_export = privacy_request.kind == PrivacyRequest.Kind.EXPORT
    if request.method == "GET":
        return render(
            request,
            "privacy/confirm.html",
            {"token": token, "privacy_request": privacy_request, "is_export": is_export},
        )
    if is_export:
        data = services.privacy_export(request=privacy_request)
        response = JsonResponse(data, json_dumps_params={"indent": 2, "ensure_ascii": False})
        stamp = timezone.now().strftime("%Y-%m-%d")
        response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
        response["Cache-Control"] = "no-store"
        return response
    result = services.privacy_erase(request=privacy_request)
    return render(request, "privacy/erased.html", {"result": result})
