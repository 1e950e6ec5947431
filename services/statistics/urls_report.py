"""月度统计报表 (PDF): included at /manage/statistics/report/ as the ``statistics_report`` namespace."""

from django.urls import path

from . import views_report

app_name = "statistics_report"

urlpatterns = [
    path("", views_report.monthly_report, name="monthly"),
]
