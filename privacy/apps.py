from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Readers' data rights: export or erase everything held about an email address."""

    name = "privacy"
    verbose_name = "Privacy requests"
