from django.urls import path

from . import views_manage as views

app_name = "home_articles"

urlpatterns = [
    path("", views.article_list, name="manage_list"),
    path("new/<slug:kind>/", views.article_create, name="manage_create"),
    path("<int:pk>/edit/", views.article_edit, name="manage_edit"),
    path("<int:pk>/delete/", views.article_delete, name="manage_delete"),
    path("rights/", views.local_rights, name="rights"),
    path("cms-accounts/", views.cms_account_list, name="cms_accounts"),
    path("cms-accounts/new/", views.cms_account_create, name="cms_account_create"),
    path("cms-accounts/credentials/", views.cms_credentials, name="cms_credentials"),
    path("cms-accounts/<int:pk>/reset-password/", views.cms_account_reset_password, name="cms_reset_password"),
    path("cms-accounts/<int:pk>/active/", views.cms_account_active, name="cms_account_active"),
]
