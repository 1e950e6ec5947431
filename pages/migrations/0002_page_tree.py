"""The portal's page tree, the 其他服务 links, and the 公告与帮助编辑 group.

Replaces Wagtail's welcome page with the portal HomePage as the default site's root, and puts
系统公告, 帮助中心 and 团务小常识 under it (the help articles themselves are content: seed_demo
adds a first set). Historical models have no treebeard API, so paths are computed here.
"""

from django.db import migrations
from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4

TIPS = (
    "<ul>"
    "<li>年龄在十四周岁以上、二十八周岁以下的中国青年，承认团的章程，愿意参加团的一个组织并在其中积极工作、"
    "执行团的决议和按期交纳团费的，可以申请加入中国共产主义青年团。</li>"
    "<li>团员年满二十八周岁，没有在团内担任职务，应当办理离团手续。</li>"
    "<li>团员加入中国共产党以后仍保留团籍；年满二十八周岁、没有在团内担任职务的，不再保留团籍。</li>"
    "<li>团员从一个基层组织转移到另一个基层组织，应当及时办理组织关系转接手续。</li>"
    "<li>团员应当按月交纳团费；交清全部团费后方可办理组织关系转接。</li>"
    "</ul>"
)

SERVICE_LINKS = [
    # Editors correct or extend these in the CMS (其他服务).
    ("i志愿", "https://www.gdzyz.cn/", "报名参加志愿服务项目"),
    ("12355青年之声", "https://www.12355.net/", "找活动、找福利"),
    ("易展翅", "https://www.12355.net/yzc/", "找实习见习岗位"),
]

EDITOR_GROUP = "公告与帮助编辑"
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "delete_page"]


def _encode(n):
    digits = ""
    while n:
        n, r = divmod(n, len(ALPHABET))
        digits = ALPHABET[r] + digits
    return digits.rjust(STEPLEN, "0")


def _add_child(apps, parent, model_name, locale_id, **fields):
    Page = apps.get_model("wagtailcore", "Page")
    ContentType = apps.get_model("contenttypes", "ContentType")
    model = apps.get_model("pages", model_name)
    last = (Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            .order_by("-path").values_list("path", flat=True).first())
    position = int(last[-STEPLEN:], 36) + 1 if last else 1
    content_type, _ = ContentType.objects.get_or_create(app_label="pages", model=model_name.lower())
    now = timezone.now()
    page = model.objects.create(
        path=parent.path + _encode(position), depth=parent.depth + 1, numchild=0,
        url_path=f"{parent.url_path}{fields['slug']}/", draft_title=fields["title"], content_type=content_type,
        locale_id=locale_id, live=True, has_unpublished_changes=False, first_published_at=now,
        last_published_at=now, **fields,
    )
    Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
    parent.numchild += 1
    return page


def create_tree(apps, schema_editor):
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    ContentType = apps.get_model("contenttypes", "ContentType")
    HomePage = apps.get_model("pages", "HomePage")
    if HomePage.objects.exists():
        return
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is None:  # wagtailcore always makes one; nothing to attach to otherwise
        return
    # Wagtail's welcome page (a plain Page), and the site pointing at it (cascade).
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    welcome = Page.objects.filter(depth=2, content_type=page_type, slug="home").first()
    locale_id = welcome.locale_id if welcome else Locale.objects.order_by("pk").values_list("pk", flat=True).first()
    if welcome is not None:
        welcome.delete()
        root.numchild = Page.objects.filter(depth=2, path__startswith=root.path).count()
        Page.objects.filter(pk=root.pk).update(numchild=root.numchild)

    home = _add_child(apps, root, "HomePage", locale_id, title="智慧团建", slug="portal",
                      intro="广东智慧团建系统：系统公告、帮助中心与团务小常识。")
    _add_child(apps, home, "AnnouncementIndexPage", locale_id, title="系统公告", slug="announcements")
    center = _add_child(apps, home, "HelpCenterPage", locale_id, title="帮助中心", slug="help",
                        intro="<p>系统使用遇到问题，可以先在这里查找解答；仍未解决请拨打客服热线 12355（按3号键）"
                              "或发送邮件至 tuan@12355.net。</p>")
    _add_child(apps, center, "TipsPage", locale_id, title="团务小常识", slug="tips", body=TIPS)

    Site.objects.filter(is_default_site=True).update(is_default_site=False)
    Site.objects.create(hostname="localhost", port=80, site_name="智慧团建", root_page_id=home.pk,
                        is_default_site=True)

    ServiceLink = apps.get_model("pages", "ServiceLink")
    if not ServiceLink.objects.exists():
        for order, (title, url, description) in enumerate(SERVICE_LINKS):
            ServiceLink.objects.create(title=title, url=url, description=description, sort_order=order)

    _editor_group(apps, home)


def _permission(apps, app_label, model, codename, name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                     defaults={"name": name})
    return permission


def _editor_group(apps, home):
    """One group for the publicity staff who write announcements and help (one per role, DESIGN §5)."""
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    group, _ = Group.objects.get_or_create(name=EDITOR_GROUP)
    group.permissions.add(
        _permission(apps, "wagtailadmin", "admin", "access_admin", "Can access Wagtail admin"),
        *[_permission(apps, "pages", "servicelink", f"{verb}_servicelink", f"Can {verb} 其他服务链接")
          for verb in ("add", "change", "delete", "view")],
    )
    for codename in PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group, page_id=home.pk,
            permission=_permission(apps, "wagtailcore", "page", codename, codename))
    collection = Collection.objects.filter(depth=1).first()
    if collection is not None:
        for app_label, model, codenames in (("wagtaildocs", "document", ["add", "change", "choose"]),
                                            ("wagtailimages", "image", ["add", "change", "choose"])):
            for verb in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection,
                    permission=_permission(apps, app_label, model, f"{verb}_{model}", f"Can {verb} {model}"))


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0001_initial"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(create_tree, migrations.RunPython.noop)]
