"""Included once from portal/urls.py at the root: 数据统计's service pages (/manage/statistics/…)."""

from django.urls import path

from . import views

app_name = "statistics"

urlpatterns = [
    path("manage/statistics/", views.overview, name="overview"),
    path("manage/statistics/empty/", views.empty_list, name="empty"),
    path("manage/statistics/orgs/", views.org_list, name="orgs"),
    path("manage/statistics/members/", views.member_list, name="members"),
    path("manage/statistics/cadres/", views.cadre_list, name="cadres"),
    path("manage/statistics/transfer-records/", views.transfer_list, name="transfer_list"),
    path("manage/statistics/categories/", views.categories, name="categories"),
    path("manage/statistics/categories/charts.json", views.charts, name="charts"),
    path("manage/statistics/transfers/", views.transfers, name="transfers"),
    path("manage/statistics/exports/<int:pk>/", views.export_job, name="export_job"),
    path("manage/statistics/exports/<int:pk>/file/", views.export_file, name="export_file"),
]
