"""Mail providers' tracking webhooks (django-anymail's views), behind a secret URL.

A provider posts each event for a message we sent; anymail verifies the post (the
provider's signature, and ANYMAIL_WEBHOOK_SECRET's basic auth where set), turns it into
its `tracking` signal, and `receivers.record_mail_event` keeps the bounces and
complaints. The URL holds MAIL_WEBHOOK_PATH, so only the provider knows it; a post that
fails verification is refused with 403 and changes nothing.
"""

import logging

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from anymail.webhooks.postal import PostalTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.resend import ResendTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from anymail.webhooks.sparkpost import SparkPostTrackingWebhookView
from django.conf import settings
from django.http import Http404, HttpResponseForbidden
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt

from security.crossorigin import cross_origin_exempt

logger = logging.getLogger(__name__)

# The providers whose tracking webhook is served, by the name in the URL.
TRACKING_VIEWS = {
    "brevo": BrevoTrackingWebhookView.as_view(),
    "mailgun": MailgunTrackingWebhookView.as_view(),
    "mailjet": MailjetTrackingWebhookView.as_view(),
    "postal": PostalTrackingWebhookView.as_view(),
    "postmark": PostmarkTrackingWebhookView.as_view(),
    "resend": ResendTrackingWebhookView.as_view(),
    "sendgrid": SendGridTrackingWebhookView.as_view(),
    "sparkpost": SparkPostTrackingWebhookView.as_view(),
}


# Server to server: no browser, no cookies; the provider's signature is the authority.
@cross_origin_exempt
@csrf_exempt
def tracking(request, secret: str, provider: str):
    expected = settings.MAIL_WEBHOOK_PATH
    if not expected or not constant_time_compare(secret, expected):
        raise Http404
    view = TRACKING_VIEWS.get(provider)
    if view is None:
        raise Http404
    try:
        return view(request)
    except AnymailWebhookValidationFailure as error:
        logger.warning("Refused a %s webhook post: %s", provider, error)
        return HttpResponseForbidden()
