from django.db import migrations

from core.editors import grant_to_editors


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [grant_to_editors("pages", {"page": ("add", "change", "delete", "view")})]
