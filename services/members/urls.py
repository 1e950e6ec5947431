"""Included once from portal/urls.py at the root, before ``m/``: service pages and the member end."""

from django.urls import path

from . import views, views_mobile, views_pdf

app_name = "members"

urlpatterns = [
    # service pages
    path("manage/members/", views.member_list, name="manage_list"),
    path("manage/members/export/", views.member_export, name="export"),
    path("manage/members/approve/", views.approve_batch, name="approve_batch"),
    path("manage/members/aged-out/", views.aged_out_list, name="aged_out"),
    path("manage/members/left/", views.left_list, name="left"),
    path("manage/members/held-back/", views.held_back_list, name="held_back"),
    path("manage/members/qr/", views.qr, name="qr"),
    path("manage/members/requests/", views.request_list, name="request_list"),
    path("manage/members/requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("manage/members/requests/<int:pk>/files/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("manage/members/<int:pk>/", views.member_detail, name="detail"),
    path("manage/members/<int:pk>/certificate.pdf", views_pdf.certificate, name="certificate_pdf"),
    path("manage/members/<int:pk>/review/", views.review, name="review"),
    path("manage/members/<int:pk>/verify-offline/", views.verify_offline, name="verify_offline"),
    path("manage/members/<int:pk>/status/", views.status_apply, name="status_apply"),
    path("manage/members/<int:pk>/delete/", views.deletion_apply, name="deletion_apply"),
    path("manage/members/<int:pk>/restore/", views.restore, name="restore"),
    # member end
    path("m/register/org/<str:code>/", views_mobile.register_branch, name="register_branch"),
    path("m/register/branch/", views_mobile.branch_search, name="branch_search"),
    path("m/register/step/<int:step>/", views_mobile.register_step, name="register_step"),
    path("m/register/status/", views_mobile.register_status, name="register_status"),
    path("m/register/withdraw/", views_mobile.withdraw, name="withdraw"),
    path("m/profile/", views_mobile.profile, name="profile"),
    path("m/profile/edit/<str:group>/", views_mobile.profile_edit, name="profile_edit"),
    path("m/profile/certificate.pdf", views_pdf.m_certificate, name="m_certificate_pdf"),
    path("m/org/", views_mobile.my_org, name="my_org"),
    # cadre end (every cadre views; operators of a branch review)
    path("m/cadre/members/", views_mobile.cadre_members, name="cadre_members"),
    path("m/cadre/members/review/", views_mobile.cadre_review, name="cadre_review"),
    path("m/cadre/members/<int:pk>/", views_mobile.cadre_member, name="cadre_member"),
]
