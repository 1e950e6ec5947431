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
        if required and request.method == "POST" and not all(request.POST.get(f) for f in required):
            raise BadRequest
        if match and match.namespace in IMAGE_NAMESPACES:
            self.check_image(request, view_kwargs)
        return None

    @staticmethod
    def check_image(request, kwargs):
        from .images import visible_images

        user = request.user
        if not user.is_authenticated or user.is_superuser:
            return  # Wagtail's own login redirect, or every image
        for key in IMAGE_KWARGS:
            if key in kwargs:
                value = str(kwargs[key])
                if not value.isdigit() or not visible_images(user).filter(pk=int(value)).exists():
                    raise Http404
