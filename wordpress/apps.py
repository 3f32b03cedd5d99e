from django.apps import AppConfig


class WordPressConfig(AppConfig):
    """Moving a WordPress site in (import_wordpress) and out (export_wordpress), and
    keeping its old addresses answering."""

    name = "wordpress"
    verbose_name = "WordPress import"
