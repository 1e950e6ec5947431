"""Included once from portal/urls.py at the root: service pages and the member end."""

from django.urls import path

from . import views, views_archive, views_mobile, views_pdf

app_name = "evaluation"

urlpatterns = [
    path("manage/evaluation/grades/", views.grades, name="grades"),
    path("manage/evaluation/submit/", views.submit, name="submit"),
    path("manage/evaluation/progress/", views.progress, name="progress"),
    path("manage/evaluation/remind/", views.remind, name="remind"),
    path("manage/evaluation/deferred/", views.deferred, name="deferred"),
    path("manage/evaluation/deferred/<int:pk>/reassess/", views.reassess, name="reassess"),
    path("manage/evaluation/archive/", views.branch_archive, name="branch_archive"),
    path("manage/evaluation/archive/<int:pk>/", views.member_archive, name="member_archive"),
    path("manage/evaluation/archive/<int:pk>/pdf/", views_pdf.member_archive_pdf, name="member_archive_pdf"),
    path("manage/evaluation/archive/jobs/", views_archive.job_list, name="archive_jobs"),
    path("manage/evaluation/archive/jobs/<int:pk>/", views_archive.job_detail, name="archive_job"),
    path("manage/evaluation/archive/jobs/<int:pk>/download/", views_archive.job_download, name="archive_job_download"),
    path("m/registration/", views_mobile.m_register, name="m_register"),
    path("m/registration/confirm/", views_mobile.m_register_confirm, name="m_register_confirm"),
    path("m/archive/", views_mobile.m_archive, name="m_archive"),
    path("m/archive/pdf/", views_pdf.m_archive_pdf, name="m_archive_pdf"),
]
