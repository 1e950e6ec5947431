"""The project's URLs plus one view per end that fails, for the 500 pages."""

from django.urls import path

from portal.urls import *  # noqa: F401,F403 - the handlers too
from portal.urls import urlpatterns as project_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("manage/boom/", boom),
    path("m/boom/", boom),
    path("m/cadre/boom/", boom),
    path("boom/", boom),
    *project_urlpatterns,
]
