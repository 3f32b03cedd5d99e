from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """What the site does against the open web: body caps, admin lock-out pages.

    The policy itself (headers, limits) is configuration, in the "Security headers and
    abuse limits" section of config/settings.py; this app holds the code it needs.
    """

    name = "security"
