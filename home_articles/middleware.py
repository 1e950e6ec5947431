"""The CMS's own guard, in front of Wagtail's views (they cannot be wrapped from their urlconf).

* Another org's image is a 404 on every image URL that names it by id (DESIGN §4: out of scope is absent),
  rather than Wagtail's redirect with a message; the image permission policy (home_articles/images.py) is the
  second line of defence.
* Wagtail views that raise (500) for an editor are not reachable: the deliberate error page, copying pages
  (not offered: the page tree is fixed by the project), the 其他服务 chooser's "create" tab (nothing chooses a
  service link); the external link chooser refuses a POST without its URL field.
"""

from django.core.exceptions import BadRequest
from django.http import Http404

#: Wagtail URLs answered by a 404 for everyone.
UNREACHABLE = frozenset({
    "wagtailadmin_error_test",  # /cms/failwhale/: raises on purpose
    "wagtailadmin_pages:copy",  # reads new_parent_page from the POST unchecked
    "wagtailsnippetchoosers_pages_servicelink:create",  # has no form outside the chooser modal
})
#: URLs whose POST must carry these fields (Wagtail reads them unchecked).
REQUIRED_POST_FIELDS = {
    "wagtailadmin_choose_page_external_link": ("external-link-chooser-url",),
}
#: Where a CMS login uploads images: its org's collection is made here if it has none yet (a login made in
#: Wagtail's user admin rather than by cms_account_create).
UPLOAD_VIEWS = frozenset({"wagtailimages:add", "wagtailimages:add_multiple", "wagtailimages_chooser:create"})
#: Image URL namespaces and the keyword that names the image.
IMAGE_NAMESPACES = ("wagtailimages", "wagtailimages_chooser")
IMAGE_KWARGS = ("image_id", "pk")


class CmsGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = match.view_name if match else None
        if name in UNREACHABLE:
            raise Http404
        required = REQUIRED_POST_FIELDS.get(name)
        if (required and request.method == "POST" and request.user.has_perm("wagtailadmin.access_admin")
                and not all(request.POST.get(f) for f in required)):
            raise BadRequest  # (anyone else is sent to the CMS login by Wagtail)
        if name in UPLOAD_VIEWS:
            self.ensure_collection(request.user)
        if match and match.namespace in IMAGE_NAMESPACES:
            ids = [str(view_kwargs[key]) for key in IMAGE_KWARGS if key in view_kwargs]
            if name == "wagtailimages_chooser:chosen_multiple":  # ?id=1&id=2
                ids += request.GET.getlist("id")
            self.check_images(request.user, ids)
        return None

    @staticmethod
    def ensure_collection(user):
        from .images import org_collection
        from .permissions import editor_org

        org = editor_org(user)
        if org is not None and not user.is_superuser and user.has_perm("wagtailadmin.access_admin"):
            org_collection(org)

    @staticmethod
    def check_images(user, ids):
        from .images import visible_images

        if not ids or not user.is_authenticated or user.is_superuser:
            return  # Wagtail's own login redirect, or every image
        if not all(i.isdigit() and len(i) < 19 for i in ids):
            raise Http404
        wanted = {int(i) for i in ids}
        if visible_images(user).filter(pk__in=wanted).count() != len(wanted):
            raise Http404
