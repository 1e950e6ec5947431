from django.urls import path

from . import mobile, views

app_name = "cadres"

urlpatterns = [
    path("manage/cadres/", views.cadre_list, name="list"),
    path("manage/cadres/below/", views.cadre_below_list, name="below"),
    path("manage/cadres/new/", views.cadre_create, name="create"),
    path("manage/cadres/credentials/", views.credentials, name="credentials"),
    path("manage/cadres/import/", views.import_upload, name="import"),
    path("manage/cadres/import/template.xlsx", views.import_template, name="import_template"),
    path("manage/cadres/import/<int:pk>/", views.import_detail, name="import_detail"),
    path("manage/cadres/<int:pk>/", views.cadre_detail, name="detail"),
    path("manage/cadres/<int:pk>/edit/", views.cadre_edit, name="edit"),
    path("manage/cadres/<int:pk>/enable/", views.cadre_enable, name="enable"),
    path("manage/cadres/<int:pk>/disable/", views.cadre_disable, name="disable"),
    path("manage/cadres/<int:pk>/delete/", views.cadre_delete, name="delete"),
    path("manage/cadres/<int:pk>/operator/", views.operator_set, name="operator_set"),
    path("manage/cadres/<int:pk>/operator/cancel/", views.operator_cancel, name="operator_cancel"),
    path("manage/cadres/<int:pk>/operator/reset-password/", views.operator_reset_password, name="operator_reset_password"),
    path("manage/system/work-alias/", views.work_alias, name="work_alias"),
    # the cadre end inside WeChat Work (入驻 itself is routed as mobile:cadre_join)
    path("m/cadre/identity/", mobile.identity, name="m_identity"),
    path("m/cadre/identity/next/", mobile.after_identity, name="m_after_identity"),
    path("m/cadre/duty/", mobile.duty, name="m_duty"),
    path("m/cadre/alias/", mobile.alias, name="m_alias"),
    path("m/cadre/orgs/", mobile.org_info, name="m_org"),
    path("m/cadre/orgs/<int:pk>/", mobile.org_info, name="m_org"),
    path("m/cadre/cadres/", mobile.cadre_search, name="m_cadres"),
    path("m/cadre/directory/", mobile.directory, name="m_directory"),
    path("m/cadre/directory/orgs/", mobile.directory_org, name="m_directory_org"),
    path("m/cadre/directory/orgs/<int:pk>/", mobile.directory_org, name="m_directory_org"),
    path("m/cadre/groups/", mobile.group_list, name="m_groups"),
    path("m/cadre/groups/new/", mobile.group_new, name="m_group_new"),
    path("m/cadre/groups/<int:pk>/", mobile.group_detail, name="m_group"),
]
