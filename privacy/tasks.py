"""Background work, through Django's Tasks framework (arguments are primary keys)."""

from django.tasks import task

from privacy import emails
from privacy.models import PrivacyRequest


@task
def send_confirmation(request_id: int) -> bool:
    """Mail the link that confirms a reader's request, unless it was carried out meanwhile."""
    request = PrivacyRequest.objects.awaiting().filter(pk=request_id).first()
    if request is None:
        return False
    emails.confirmation_email(request).send()
    return True
