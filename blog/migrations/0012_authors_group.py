"""The "Authors" group: write articles and submit them for review, as WordPress's
Contributor role does. No publish permission (blog.publish_article) and no comment
permissions: editors publish and moderate. Which articles an author may open (their
own, until published) is decided by the Article admin (blog/services.py)."""

from django.db import migrations

from core.editors import AUTHORS_GROUP, grant_to_group

AUTHOR_PERMISSIONS = {
    "article": ("add", "change", "view"),
    "relatedlink": ("add", "change", "delete", "view"),
    # To pick an article's categories and tags (the admin's autocomplete asks for view).
    "category": ("view",),
    "tag": ("view",),
}
# To give an article its featured picture: upload one, or pick it from the library.
AUTHOR_MEDIA_PERMISSIONS = {"image": ("add", "view")}


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0011_workflow_states"),
        ("media", "0002_editors_media"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        grant_to_group(AUTHORS_GROUP, "blog", AUTHOR_PERMISSIONS),
        grant_to_group(AUTHORS_GROUP, "media", AUTHOR_MEDIA_PERMISSIONS),
    ]
