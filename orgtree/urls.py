from django.urls import path

from . import views

app_name = "orgtree"

urlpatterns = [
    path("", views.children_list, name="list"),
    path("new/", views.org_create_view, name="create"),
    path("credentials/", views.credentials, name="credentials"),
    path("tree/", views.tree, name="tree"),
    path("tree/children/", views.tree_children, name="tree_children"),
    path("tree/search/", views.tree_search, name="tree_search"),
    path("move/", views.move, name="move"),
    path("mine/", views.own_org, name="own"),
    path("mine/phone/", views.own_phone, name="own_phone"),
    path("<int:pk>/", views.org_detail, name="detail"),
    path("<int:pk>/edit/", views.org_edit, name="edit"),
    path("<int:pk>/delete/", views.org_delete_view, name="delete"),
    path("<int:pk>/reset-password/", views.org_reset_password_view, name="reset_password"),
]
