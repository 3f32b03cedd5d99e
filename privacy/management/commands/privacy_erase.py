from django.core.exceptions import ValidationError
from django.core.management import CommandError
from django.core.management.base import BaseCommand
from django.core.validators import validate_email

from core.addresses import InvalidDomain, normalize_email
from privacy import services
from privacy.models import PrivacyRequest


class Command(BaseCommand):
    help = (
        "Erase everything the site holds about an email address (logged): its comments are "
        "anonymised (or deleted with --delete-comments), its subscription goes."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--delete-comments",
            action="store_true",
            help='delete the comments instead of keeping their text under "Anonymous"',
        )

    def handle(self, *args, email, delete_comments=False, **options):
        try:
            validate_email(email)
            email = normalize_email(email)
        except (ValidationError, InvalidDomain):
            raise CommandError(f"{email!r} is not an email address") from None
        choices = PrivacyRequest.Comments
        comments = choices.DELETE if delete_comments else choices.ANONYMISE
        request = services.privacy_request_record(
            email=email,
            kind=PrivacyRequest.Kind.ERASE,
            source=PrivacyRequest.Source.COMMAND,
            comments=comments,
        )
        result = services.privacy_erase(request=request)
        for key, value in result.items():
            self.stdout.write(f"{key.replace('_', ' ')}: {value}")
        self.stdout.write(f"Logged as privacy request {request.pk}.")
