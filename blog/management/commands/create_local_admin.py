import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "With DEBUG on and no superuser yet, create a local 'admin' and print its password once."

    def handle(self, *args, **options):
        users = get_user_model()
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: no local admin account is created.")
            return
        if users.objects.filter(is_superuser=True).exists():
            return
        password = secrets.token_urlsafe(12)
        # An address on this machine, so editors' notifications (printed to the console
        # by the default EMAIL_URL) have someone to go to.
        users.objects.create_superuser(username="admin", email="admin@localhost", password=password)
        self.stdout.write(
            self.style.SUCCESS(
                "Created a local admin account for http://127.0.0.1:8000/admin/\n"
                f"  username: admin\n  password: {password}\n"
                "This is shown once; `manage.py changepassword admin` sets a new one."
            )
        )
