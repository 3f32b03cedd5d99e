"""Background work, through Django's Tasks framework. Arguments are primary keys (JSON);
each task reloads what it needs and is safe to run more than once."""

from datetime import datetime

from django.tasks import task

from blog.models import Article
from newsletter import emails, services
from newsletter.models import Subscriber


@task
def send_confirmation(subscriber_id: int) -> bool:
    subscriber = Subscriber.objects.pending().filter(pk=subscriber_id).first()
    if subscriber is None:  # confirmed or gone meanwhile: nothing to confirm
        return False
    emails.confirmation_email(subscriber).send()
    return True


@task
def send_article_newsletter(article_id: int) -> dict | None:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    result = services.newsletter_send(article=article)
    return None if result is None else {"sent": result.sent, "failed": result.failed}


@task
def send_due_newsletters() -> int:
    """The sweep, for a worker to run on a timer (see `manage.py send_due_newsletters`)."""
    return len(services.newsletters_send_due())


@task
def start_subscription(email: str, source: str, requested_at: str) -> None:
    """A sign-up, decided away from the request: the page validates, counts and enqueues
    this for every address alike, so neither its answer nor its timing tells whether
    the address was already subscribed (the decision is `services.subscription_start`)."""
    services.subscription_start(
        email=email, source=source, consent_at=datetime.fromisoformat(requested_at)
    )
