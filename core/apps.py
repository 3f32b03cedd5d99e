from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Cross-cutting request helpers (client address, rate limits, page cache); no models."""

    name = "core"

    def ready(self):
        from core import caching
        from core.cache import cache_reconnected

        caching.connect_receivers()
        cache_reconnected.connect(caching.on_cache_reconnected, dispatch_uid="core.caching")
        # Migrations write rows without model signals (and may change what a kept page
        # or part holds): every cached page and part is stale after `migrate`.
        post_migrate.connect(caching.on_migrated, sender=self, dispatch_uid="core.caching")
