"""CMS images per org (home_articles/images.py): the 共享图片 collection, the roles' rights on it, a
collection for each org that already has CMS logins or home articles, and their covers moved into it.

Grants on the root collection stay: the image permission policy reads them as the role's rights in the
login's own org's collection.
"""

from django.db import migrations

SHARED = "共享图片"
EDITOR_GROUP = "首页文章编辑"
CONTENT_GROUP = "公告与帮助编辑"


def _permission(apps, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="wagtailimages", model="image")
    permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                     defaults={"name": name})
    return permission


def _add_child(apps, root, name):
    """treebeard's add_child is not available on historical models: the materialised path by hand."""
    Collection = apps.get_model("wagtailcore", "Collection")
    steplen, alphabet = 4, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    last = Collection.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("-path").first()
    if last is None:
        number = 1
    else:
        number = int(last.path[-steplen:], 36) + 1
    digits = ""
    while number:
        number, rest = divmod(number, 36)
        digits = alphabet[rest] + digits
    collection = Collection.objects.create(name=name, path=root.path + digits.rjust(steplen, "0"),
                                           depth=root.depth + 1, numchild=0)
    root.numchild += 1
    root.save(update_fields=["numchild"])
    return collection


def forwards(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    Group = apps.get_model("auth", "Group")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    OrgImageCollection = apps.get_model("home_articles", "OrgImageCollection")
    Organization = apps.get_model("orgtree", "Organization")
    HomeArticle = apps.get_model("home_articles", "HomeArticle")
    Image = apps.get_model("wagtailimages", "Image")
    User = apps.get_model("portal", "User")

    root = Collection.objects.filter(depth=1).first()
    if root is None:
        return
    shared = Collection.objects.filter(depth=2, name=SHARED).first() or _add_child(apps, root, SHARED)
    root.refresh_from_db()
    for group_name, codenames in ((EDITOR_GROUP, ["choose"]), (CONTENT_GROUP, ["add", "change", "choose"])):
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        for verb in codenames:
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=shared, permission=_permission(apps, f"{verb}_image", f"Can {verb} image"))

    org_ids = set(User.objects.filter(organization__isnull=False, is_superuser=False, groups__isnull=False)
                  .values_list("organization_id", flat=True))
    org_ids |= set(HomeArticle.objects.values_list("publisher_id", flat=True))
    for org in Organization.objects.filter(pk__in=org_ids).order_by("pk"):
        link = OrgImageCollection.objects.filter(organization=org).first()
        if link is None:
            collection = _add_child(apps, root, f"{org.full_name}图片"[:255])
            root.refresh_from_db()
            link = OrgImageCollection.objects.create(organization=org, collection=collection)
        # Its articles' covers that still sit in the root collection move into it.
        cover_ids = HomeArticle.objects.filter(publisher=org, cover__isnull=False).values_list("cover_id", flat=True)
        Image.objects.filter(pk__in=cover_ids, collection=root).update(collection=link.collection)


class Migration(migrations.Migration):
    dependencies = [
        ("home_articles", "0005_org_image_collection"),
        ("portal", "0003_constraint_messages"),
        ("orgtree", "0003_constraint_messages"),
        ("pages", "0004_admin_language_chinese"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
