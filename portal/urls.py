from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from .views import errors

# Chinese error pages in each end's layout (portal.views.errors).
handler400 = "portal.views.errors.bad_request"
handler403 = "portal.views.errors.permission_denied"
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"

urlpatterns = [
    path("favicon.ico", errors.favicon, name="favicon"),
    path("manage/orgs/", include("orgtree.urls")),
    path("manage/home-articles/", include("home_articles.urls")),
    path("", include("services.cadres.urls")),
    path("manage/", include("portal.urls_manage")),
    # 月度统计报表 (PDF): at /manage/statistics/report/ but its own top-level namespace ``statistics_report``
    # (included from urls_manage it would nest as portal:statistics_report)
    path("manage/statistics/report/", include("services.statistics.urls_report")),
    path("", include("services.messaging.urls")),
    path("", include("services.members.urls")),
    path("", include("services.awards.urls")),
    path("", include("services.evaluation.urls")),
    path("", include("services.transfers.urls")),
    path("", include("services.dues.urls")),
    path("", include("services.statistics.urls")),
    path("m/", include("portal.urls_mobile")),
    path("", include("pages.urls")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", RedirectView.as_view(pattern_name="portal:home", permanent=False)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("pages/", include(wagtail_urls))]
