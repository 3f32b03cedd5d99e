import json

from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.core.management.base import BaseCommand
from django.core.validators import validate_email

from core.addresses import InvalidDomain, normalize_email
from privacy import services
from privacy.models import PrivacyRequest


class Command(BaseCommand):
    help = "Print, as JSON, everything the site holds about an email address (logged)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")

    def handle(self, *args, email, output=None, **options):
        try:
            validate_email(email)
            email = normalize_email(email)
        except (ValidationError, InvalidDomain):
            raise CommandError(f"{email!r} is not an email address") from None
        request = services.privacy_request_record(
            email=email, kind=PrivacyRequest.Kind.EXPORT, source=PrivacyRequest.Source.COMMAND
        )
        text = json.dumps(services.privacy_export(request=request), indent=2, ensure_ascii=False)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text + "\n")
            self.stderr.write(f"Exported to {output} (privacy request {request.pk}).")
        else:
            self.stdout.write(text)
