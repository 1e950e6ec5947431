"""CMS images per org: one Wagtail collection per org, plus 共享图片 that the province publishes.

Wagtail grants image rights per collection to *groups*; our groups are roles (首页文章编辑, 公告与帮助编辑),
not orgs, so 100,000 orgs would otherwise need 100,000 groups. Instead the image permission policy reads a
role's grants through the login's org:

* a grant on the root collection (what the migrations give each role) means "this right over images",
  and an org-bound login holds it in its own org's collection only (none until that collection exists);
* a grant on 共享图片 holds as is for ``choose``; adding or changing shared images is the provincial
  committee's logins' alone;
* a grant on any other collection holds only inside the login's own org's collection.

Superusers keep Wagtail's answers (every collection). Every image view, the chooser, the listing and the
upload form ask this one policy, so another org's image is absent from lists and a 403 by id; the home
article form and services check the chosen cover again (a forged id is refused in Chinese).
"""

from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission
from wagtail.permission_policies.collections import CollectionOwnershipPermissionPolicy

from .models import OrgImageCollection

SHARED_COLLECTION = "共享图片"
ERR_COVER_SCOPE = "只能选择本组织或全省共享的图片"
#: Rights over shared images that only the provincial committee's logins hold.
PROVINCIAL_ONLY_CODENAMES = ("add_image", "change_image", "delete_image")


def shared_collection():
    """共享图片 (made by the migrations; None if a superuser removed it)."""
    return Collection.objects.filter(depth=2, name=SHARED_COLLECTION).first()


def org_collection(org, *, create=True):
    """``org``'s image collection, created under the root on first use (``create=False``: None then)."""
    link = OrgImageCollection.objects.select_related("collection").filter(organization=org).first()
    if link is not None or not create:
        return link.collection if link else None
    with transaction.atomic():
        # The root's row lock serialises the (rare) creations: two at once would otherwise take the same
        # tree path, or make two collections for one org.
        root = Collection.objects.select_for_update().get(pk=Collection.get_first_root_node().pk)
        link = OrgImageCollection.objects.select_related("collection").filter(organization=org).first()
        if link is not None:
            return link.collection
        collection = root.add_child(instance=Collection(name=f"{org.full_name}图片"[:255]))
        OrgImageCollection.objects.create(organization=org, collection=collection)
    return collection


def _within(collection, ancestor):
    return collection.pk == ancestor.pk or collection.path.startswith(ancestor.path)


def org_scoped_permissions(user, permissions):
    """The login's group collection permissions, read through its org (see the module docstring).

    A grant moved to the org's collection is an unsaved ``GroupCollectionPermission`` with the negated id
    of the row it stands for (Wagtail keeps these in sets, which need an id).
    """
    from .permissions import editor_org, is_provincial

    org = editor_org(user)
    own = org_collection(org, create=False) if org is not None else None
    shared = shared_collection()
    out = []
    for perm in permissions:
        collection = perm.collection
        if shared is not None and _within(collection, shared):
            if perm.permission.codename not in PROVINCIAL_ONLY_CODENAMES or is_provincial(org):
                out.append(perm)
        elif own is None:
            continue
        elif collection.depth == 1:
            out.append(GroupCollectionPermission(pk=-perm.pk, group_id=perm.group_id, permission=perm.permission,
                                                 collection=own))
        elif _within(collection, own):
            out.append(perm)
    return out


class OrgImagePermissionPolicy(CollectionOwnershipPermissionPolicy):
    """Wagtail's image policy with each role's grants read through the login's org."""

    def get_all_permissions_for_user(self, user):
        permissions = super().get_all_permissions_for_user(user)
        if not user.is_active or user.is_anonymous or user.is_superuser:
            return permissions
        return org_scoped_permissions(user, list(permissions))


def install():
    """Make Wagtail's one image policy object this policy.

    Wagtail builds it once (wagtail.images.permissions) and every image view imported that very object, so
    its class is switched in place rather than the module attribute rebound.
    """
    from wagtail.images import permissions

    policy = permissions.permission_policy
    if not isinstance(policy, OrgImagePermissionPolicy):
        policy.__class__ = OrgImagePermissionPolicy


def choosable_images(user):
    """The images ``user`` may use as a cover: its org's and the shared ones (all, for superusers)."""
    from wagtail.images import permissions

    return permissions.permission_policy.instances_user_has_permission_for(user, "choose")


def org_may_use_image(org, image):
    """Whether an article of ``org`` may show ``image``: in its org's collection or in 共享图片."""
    collection = image.collection
    shared = shared_collection()
    if shared is not None and _within(collection, shared):
        return True
    own = org_collection(org, create=False) if org is not None else None
    return own is not None and _within(collection, own)


def visible_images(user):
    """The images ``user`` may open by id in the CMS: those it may choose or change."""
    from wagtail.images import permissions

    return permissions.permission_policy.instances_user_has_any_permission_for(user, ["choose", "change"])
