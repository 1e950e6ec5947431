from django.http import HttpResponse
from django.shortcuts import redirect, render

from .. import registry
from ..decorators import org_actor_required


@org_actor_required
def home(request):
    actor = request.actor
    return render(request, "manage/home.html", {
        "todos": registry.todos_for(actor),
        "quick_links": registry.quick_links_for(actor),
    })


@org_actor_required
def ping(request):
    """The trivial authenticated view: the baseline every benchmark measures against."""
    return HttpResponse("ok", content_type="text/plain")


def help_center(request):
    """帮助中心 lives in the CMS (pages app); this old address keeps working."""
    return redirect("pages:manage_help")
