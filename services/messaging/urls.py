from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("manage/messages/", views.manage_list, name="manage_list"),
    path("manage/messages/<int:pk>/", views.manage_open, name="manage_open"),
    path("manage/messages/read/", views.manage_mark_read, name="manage_mark_read"),
    path("manage/messages/broadcasts/", views.broadcast_list, name="broadcast_list"),
    path("manage/messages/broadcasts/new/", views.broadcast_new, name="broadcast_new"),
    path("m/messages/", views.member_list, name="member_list"),
    path("m/messages/<int:pk>/", views.member_open, name="member_open"),
    path("m/messages/read/", views.member_mark_read, name="member_mark_read"),
    path("m/cadre/messages/", views.cadre_list, name="cadre_list"),
    path("m/cadre/messages/<int:pk>/", views.cadre_open, name="cadre_open"),
    path("m/cadre/messages/read/", views.cadre_mark_read, name="cadre_mark_read"),
]
