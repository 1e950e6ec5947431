"""Included once from portal/urls.py at the root: service pages, the member end and the cadre end."""

from django.urls import path

from . import views, views_mobile, views_pdf

app_name = "awards"

urlpatterns = [
    # service pages: 奖惩录入 (two steps), 奖惩记录, 奖励审核
    path("manage/awards/pick/", views.pick, name="pick"),
    path("manage/awards/pick/template.xlsx", views.sheet_template, name="sheet_template"),
    path("manage/awards/enter/award/", views.enter_award, name="enter_award"),
    path("manage/awards/enter/punishment/", views.enter_punishment, name="enter_punishment"),
    path("manage/awards/records/", views.records, name="records"),
    path("manage/awards/<int:pk>/edit/", views.award_edit, name="award_edit"),
    path("manage/awards/<int:pk>/delete/", views.award_delete, name="award_delete"),
    path("manage/awards/<int:pk>/files/<int:file_pk>/", views.award_file, name="award_file"),
    path("manage/awards/punishments/<int:pk>/edit/", views.punishment_edit, name="punishment_edit"),
    path("manage/awards/punishments/<int:pk>/delete/", views.punishment_delete, name="punishment_delete"),
    path("manage/awards/punishments/<int:pk>/files/<int:file_pk>/", views.punishment_file, name="punishment_file"),
    path("manage/awards/members/<int:pk>/record.pdf", views_pdf.record, name="record_pdf"),
    path("manage/awards/review/", views.review_list, name="review_list"),
    path("manage/awards/review/<int:pk>/", views.review_detail, name="review_detail"),
    # member end: 认证资料 → 奖惩信息
    path("m/awards/", views_mobile.m_list, name="m_list"),
    path("m/awards/record.pdf", views_pdf.m_record, name="m_record_pdf"),
    path("m/awards/declare/", views_mobile.m_declare, name="m_declare"),
    path("m/awards/<int:pk>/edit/", views_mobile.m_declare, name="m_edit"),
    path("m/awards/<int:pk>/delete/", views_mobile.m_delete, name="m_delete"),
    path("m/awards/<int:pk>/files/<int:file_pk>/", views_mobile.m_file, name="m_file"),
    # cadre end: 奖励审核
    path("m/cadre/awards/", views_mobile.cadre_review, name="cadre_review"),
    path("m/cadre/awards/<int:pk>/", views_mobile.cadre_review_detail, name="cadre_review_detail"),
]
