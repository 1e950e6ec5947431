"""The 首页文章编辑 group: one group for every publicity editor, whatever org they work for.

Which org an editor works for is its login's organization; the permission policy
(home_articles/permissions.py) narrows the group's model permissions to that org's articles.
"""

from django.db import migrations

EDITOR_GROUP = "首页文章编辑"


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                     defaults={"name": name})
    return permission


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    group.permissions.add(
        _permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"),
        *[_permission(apps, "home_articles", "homearticle", f"{verb}_homearticle", f"Can {verb} 首页文章")
          for verb in ("add", "change", "delete", "view")],
    )
    # Cover images: upload and choose them.
    collection = Collection.objects.filter(depth=1).first()
    if collection is not None:
        for verb in ("add", "choose"):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection,
                permission=_permission(apps, "wagtailimages", "image", f"{verb}_image", f"Can {verb} image"))


class Migration(migrations.Migration):
    dependencies = [
        ("home_articles", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
