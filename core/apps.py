from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting request helpers (client address, rate limits); no models."""

    name = "core"
