from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Cross-cutting request helpers (client address, rate limits, page cache); no models."""

    name = "core"

    def ready(self):
        from core import caching
        from core.cache import cache_reconnected

        caching.connect_receivers()
        cache_reconnected.connect(caching.on_cache_reconnected, dispatch_uid="core.caching")
