from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Cross-cutting request helpers (client address, rate limits, page cache); no models."""

    name = "core"

    def ready(self):
        from core import invalidation
        from core.cache import cache_reconnected

        # Migrations write rows without model signals, and versions made while Redis was
        # down were lost with it: either way every cached page is stale now.
        post_migrate.connect(invalidation.renew, sender=self, dispatch_uid="core.invalidation")
        cache_reconnected.connect(invalidation.renew, dispatch_uid="core.invalidation")
