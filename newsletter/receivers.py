"""Where the newsletter hears that blog published an article, and what a mail provider
reported about a message."""

from newsletter import services


def schedule_newsletter(sender, article, **kwargs):
    services.newsletter_schedule(article=article)


def record_mail_event(sender, event, esp_name, **kwargs):
    """anymail's `tracking` signal: keep bounces and complaints (the rest is ignored)."""
    services.mail_event_record(
        esp_name=esp_name,
        event_id=event.event_id,
        event_type=event.event_type,
        reject_reason=event.reject_reason,
        recipient=event.recipient,
        description=event.description or event.mta_response or "",
        occurred_at=event.timestamp,
    )
