"""Where the newsletter hears that blog published an article."""

from newsletter import services


def schedule_newsletter(sender, article, **kwargs):
    services.newsletter_schedule(article=article)
