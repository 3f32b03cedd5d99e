"""Background work, through Django's Tasks framework. Arguments are primary keys (JSON);
each task reloads what it needs and is safe to run more than once."""

from datetime import datetime

from django.tasks import task

from blog.models import Article
from newsletter import services


@task
def send_confirmation(subscriber_id: int) -> bool:
    return services.confirmation_send(subscriber_id=subscriber_id)


@task
def send_article_newsletter(article_id: int) -> dict | None:
    """Send an article's newsletter; it queues its own successor until the mailing is
    finished (see `services.newsletter_run`), so no cron is needed beside the worker."""
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        return None
    result = services.newsletter_run(article=article)
    return None if result is None else {"sent": result.sent, "failed": result.failed}


@task
def send_due_newsletters() -> int:
    """The sweep, for operators who want it (see `manage.py send_due_newsletters`)."""
    return len(services.newsletters_send_due())


@task
def start_subscription(email: str, source: str, requested_at: str) -> None:
    """A sign-up, decided away from the request: the page validates, counts and enqueues
    this for every address alike, so neither its answer nor its timing tells whether
    the address was already subscribed (the decision is `services.subscription_start`)."""
    services.subscription_start(
        email=email, source=source, consent_at=datetime.fromisoformat(requested_at)
    )
