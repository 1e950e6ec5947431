"""The CMS (Wagtail snippet) views for home articles, scoped to the editor's org.

Wagtail's generic edit/delete/usage/history views load an object by id from the model's default
manager and only check the *model* permission. Each view here loads through
:func:`editable_articles` instead, so another org's article is a 404 on every URL, then asks the
permission policy about the instance. Writes go through the services (audit row each); Wagtail's
own log is not written for these objects, as its site-history report is not scoped by org.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.functional import cached_property
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views import snippets

from django.http import HttpResponse

from portal.actors import client_ip
from portal.views.mobile import member_required

from .models import HomeArticle
from .permissions import editable_articles, editor_actor
from .services import article_create, article_delete, article_snapshot, article_update, publishing_right_set
from .feed import render_feed


def _actor(request):
    return editor_actor(request.user, client_ip(request))


class ScopedObjectMixin:
    """Load the article through the editor's scope (404 outside it), then check the policy."""

    instance_permission = "change"

    def scoped_queryset(self):
        return editable_articles(self.request.user)

    def check_instance(self, obj):
        if not self.permission_policy.user_has_permission_for_instance(
                self.request.user, self.instance_permission, obj):
            raise PermissionDenied
        return obj


class ArticleCreateView(snippets.CreateView):
    def save_instance(self):
        self.has_content_changes = True
        self.new_revision = None
        return article_create(actor=_actor(self.request), article=self.form.save(commit=False))


class ArticleEditView(ScopedObjectMixin, snippets.EditView):
    def get_object(self, queryset=None):
        obj = self.check_instance(super().get_object(self.scoped_queryset()))
        self.before = article_snapshot(obj)
        return obj

    def save_instance(self):
        self.has_content_changes = self.form.has_changed()
        self.new_revision = None
        return article_update(actor=_actor(self.request), article=self.form.save(commit=False),
                              before=self.before)


class ArticleDeleteView(ScopedObjectMixin, snippets.DeleteView):
    instance_permission = "delete"

    def get_object(self, queryset=None):
        if getattr(self, "object", None):
            return self.object
        return self.check_instance(super().get_object(self.scoped_queryset()))

    def delete_action(self):
        article_delete(actor=_actor(self.request), article=self.object)


class ArticleUsageView(ScopedObjectMixin, snippets.UsageView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ArticleHistoryView(ScopedObjectMixin, snippets.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_queryset()


class ArticleDeleteBulkAction(DeleteBulkAction):
    """Bulk delete, scoped like the single views and written through the service.

    Wagtail's snippet bulk delete checks only the model permission and deletes with one queryset
    call; this one 404s if any chosen id is outside the editor's scope.
    """

    models = [HomeArticle]

    @cached_property
    def _actionable_objects(self):
        ids = self.request.GET.getlist("id")
        scoped = editable_articles(self.request.user)
        if "all" in ids:
            objects = list(scoped)
        else:
            wanted = {int(i) for i in ids if i.isdigit()}
            objects = list(scoped.filter(pk__in=wanted))
            if not objects or len(objects) != len(wanted) or len(wanted) != len(ids):
                raise Http404
        policy = HomeArticle.snippet_viewset.permission_policy
        allowed = [o for o in objects if policy.user_has_permission_for_instance(self.request.user, "delete", o)]
        denied = [o for o in objects if o not in allowed]
        return allowed, {"items_with_no_access": denied}

    def check_perm(self, obj):
        return HomeArticle.snippet_viewset.permission_policy.user_has_permission_for_instance(
            self.request.user, "delete", obj)

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        request = kwargs["self"].request
        actor = _actor(request)
        for article in objects:
            article_delete(actor=actor, article=article)
        return len(objects), 0


class RightCreateView(snippets.CreateView):
    def save_instance(self):
        self.has_content_changes, self.new_revision = True, None
        return publishing_right_set(actor=_actor(self.request), right=self.form.save(commit=False))


class RightEditView(snippets.EditView):
    def save_instance(self):
        self.has_content_changes, self.new_revision = self.form.has_changed(), None
        return publishing_right_set(actor=_actor(self.request), right=self.form.save(commit=False))


# --- member end --------------------------------------------------------------------------------

@member_required
def member_feed_fragment(request):
    """The feed alone (one tab, one page), as HTML for 加载更多 on the member home.

    No page shell, so none of its context (such as the unread-message count) is computed.
    """
    return HttpResponse(render_feed(request))
