from django.urls import path

from . import views

app_name = "cadres"

urlpatterns = [
    path("", views.cadre_list, name="list"),
    path("below/", views.cadre_below_list, name="below"),
    path("new/", views.cadre_create, name="create"),
    path("credentials/", views.credentials, name="credentials"),
    path("<int:pk>/", views.cadre_detail, name="detail"),
    path("<int:pk>/edit/", views.cadre_edit, name="edit"),
    path("<int:pk>/enable/", views.cadre_enable, name="enable"),
    path("<int:pk>/disable/", views.cadre_disable, name="disable"),
    path("<int:pk>/delete/", views.cadre_delete, name="delete"),
    path("<int:pk>/operator/", views.operator_set, name="operator_set"),
    path("<int:pk>/operator/cancel/", views.operator_cancel, name="operator_cancel"),
    path("<int:pk>/operator/reset-password/", views.operator_reset_password, name="operator_reset_password"),
]
