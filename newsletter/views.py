"""Sign-up, confirmation and unsubscription pages. Links from emails never act on a GET
(mail scanners follow links): a GET shows a button, the button's POST acts."""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from core import ratelimit
from core.http import client_ip
from newsletter import services, tasks, tokens
from newsletter.forms import SubscribeForm
from security.crossorigin import protected_by_fetch_metadata

RATE_LIMITED = "Too many sign-ups from your network just now. Please try again in a few minutes."
LINK_TAMPERED = "This link is not valid. Please copy the whole link from the email."
LINK_UNKNOWN = "This link does not match any subscription."
LINK_EXPIRED = "This confirmation link has expired. Subscribe again to get a new one."
LINK_SUPERSEDED = "You unsubscribed after this link was sent. Subscribe again to get a new one."
LINK_REPLACED = (
    "This confirmation link was replaced by a newer one. Please use the link in the most "
    "recent email we sent you."
)

TOKEN_MAX_LENGTH = 200


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def _link_problem(request, message: str, status: int):
    return render(request, "newsletter/link_problem.html", {"message": message}, status=status)


def _subscriber_or_problem(request, token: str, load):
    if len(token) > TOKEN_MAX_LENGTH:
        return None, _link_problem(request, LINK_TAMPERED, 400)
    try:
        return load(token), None
    except tokens.TokenInvalid:
        return None, _link_problem(request, LINK_TAMPERED, 400)
    except tokens.TokenUnknown:
        return None, _link_problem(request, LINK_UNKNOWN, 404)
    except tokens.TokenExpired:
        return None, _link_problem(request, LINK_EXPIRED, 410)
    except tokens.TokenReplaced:
        return None, _link_problem(request, LINK_REPLACED, 410)


@protected_by_fetch_metadata
@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    if request.method != "POST":
        form = SubscribeForm(initial={"source": request.GET.get("source", "")})
        return render(request, "newsletter/subscribe.html", {"form": form})
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return render(request, "newsletter/subscribe.html", {"form": form}, status=400)
    limit = ratelimit.Limit(
        settings.NEWSLETTER_SIGNUP_RATE, settings.NEWSLETTER_SIGNUP_RATE_SECONDS
    )
    if retry_after := ratelimit.hit("newsletter-subscribe", client_ip(request), limit):
        form.add_error(None, RATE_LIMITED)
        response = render(request, "newsletter/subscribe.html", {"form": form}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    # The same work and the same answer whatever the address's state, so that nobody
    # learns who subscribes, from the page or from its timing: the decision is the task's.
    tasks.start_subscription.enqueue(
        form.cleaned_data["email"], form.cleaned_data["source"], timezone.now().isoformat()
    )
    return HttpResponseSeeOther(reverse("newsletter:check-inbox"))


@require_safe
def check_inbox(request):
    return render(request, "newsletter/check_inbox.html")


@protected_by_fetch_metadata
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    subscriber, problem = _subscriber_or_problem(request, token, tokens.subscriber_to_confirm)
    if problem:
        return problem
    if request.method != "POST":
        if subscriber.status == subscriber.Status.CONFIRMED:
            return render(request, "newsletter/confirmed.html", {"already": True})
        if subscriber.status == subscriber.Status.UNSUBSCRIBED:
            return _link_problem(request, LINK_SUPERSEDED, 410)
        return render(request, "newsletter/confirm.html", {"token": token})
    outcome = services.subscription_confirm(subscriber=subscriber)
    if outcome == services.Confirmation.REFUSED:
        return _link_problem(request, LINK_SUPERSEDED, 410)
    already = outcome == services.Confirmation.ALREADY_CONFIRMED
    return render(request, "newsletter/confirmed.html", {"already": already})


# RFC 8058: mail providers POST "List-Unsubscribe=One-Click" from their own servers, with
# no cookie and none of a browser's headers, which the cross-origin check lets through;
# the signed token in the URL is the authority.
@protected_by_fetch_metadata
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    subscriber, problem = _subscriber_or_problem(request, token, tokens.subscriber_to_unsubscribe)
    if problem:
        return problem
    if request.method != "POST":
        is_subscribed = subscriber.status != subscriber.Status.UNSUBSCRIBED
        return render(
            request, "newsletter/unsubscribe.html", {"token": token, "is_subscribed": is_subscribed}
        )
    services.subscription_cancel(subscriber=subscriber)
    return render(request, "newsletter/unsubscribed.html")
