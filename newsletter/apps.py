from django.apps import AppConfig


class NewsletterConfig(AppConfig):
    name = "newsletter"

    def ready(self):
        from anymail.signals import tracking

        from blog.models import Article
        from blog.signals import article_published
        from newsletter import receivers

        article_published.connect(
            receivers.schedule_newsletter, sender=Article, dispatch_uid="newsletter.published"
        )
        tracking.connect(receivers.record_mail_event, dispatch_uid="newsletter.mail_event")
