from django.core.management.base import BaseCommand

from newsletter.services import newsletters_send_due


class Command(BaseCommand):
    help = (
        "Send every due newsletter not yet sent completely (scheduled articles whose time "
        "has come, mailings a worker left unfinished). Safe to run from cron every minute."
    )

    def handle(self, *args, **options):
        results = newsletters_send_due()
        for article, result in results.items():
            self.stdout.write(f"{article}: {result.sent} sent, {result.failed} failed")
        self.stdout.write(f"{len(results)} newsletter(s) processed.")
