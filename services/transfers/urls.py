"""Included once from portal/urls.py at the root: service pages, the member end and the cadre end."""

from django.urls import path

from . import views, views_mobile, views_pdf

app_name = "transfers"

urlpatterns = [
    # service pages
    path("manage/transfers/", views.transfer_list, name="list"),
    path("manage/transfers/todo/", views.todo_list, name="todo"),
    path("manage/transfers/start/", views.start_view, name="start"),
    path("manage/transfers/review/", views.batch_review, name="batch_review"),
    path("manage/transfers/export/", views.export, name="export"),
    path("manage/transfers/appeals/", views.appeals, name="appeals"),
    path("manage/transfers/appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("manage/transfers/appeals/<int:pk>/files/<int:file_pk>/", views.appeal_file, name="appeal_file"),
    path("manage/transfers/<int:pk>/", views.detail, name="detail"),
    path("manage/transfers/<int:pk>/letter.pdf", views_pdf.letter, name="letter_pdf"),
    path("manage/transfers/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    # member end
    path("m/transfers/", views_mobile.m_list, name="m_list"),
    path("m/transfers/apply/", views_mobile.m_apply, name="m_apply"),
    path("m/transfers/<int:pk>/", views_mobile.m_detail, name="m_detail"),
    path("m/transfers/<int:pk>/letter.pdf", views_pdf.m_letter, name="m_letter_pdf"),
    path("m/transfers/<int:pk>/confirm/", views_mobile.m_confirm, name="m_confirm"),
    path("m/transfers/<int:pk>/withdraw/", views_mobile.m_withdraw, name="m_withdraw"),
    path("m/transfers/<int:pk>/appeal/", views_mobile.m_appeal, name="m_appeal"),
    # cadre end (operators review)
    path("m/cadre/transfers/", views_mobile.cadre_list, name="cadre_list"),
    path("m/cadre/transfers/start/", views_mobile.cadre_start, name="cadre_start"),
    path("m/cadre/transfers/<int:pk>/", views_mobile.cadre_detail, name="cadre_detail"),
]
