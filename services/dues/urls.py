"""Included once from portal/urls.py at the root: service pages, the member end, the pay notify."""

from django.urls import path

from . import views, views_mobile

app_name = "dues"

urlpatterns = [
    # service pages
    path("manage/dues/", views.query, name="query"),
    path("manage/dues/members/", views.members, name="members"),
    path("manage/dues/members/export/", views.export, name="export"),
    path("manage/dues/members/<int:pk>/", views.member_bills, name="member_bills"),
    path("manage/dues/retention/", views.retention_view, name="retention"),
    path("manage/dues/retention/settings/", views.retention_settings, name="retention_settings"),
    path("manage/dues/retention/settings/<int:pk>/", views.retention_edit, name="retention_edit"),
    path("manage/dues/retention/settings/export/", views.retention_export, name="retention_export"),
    path("manage/dues/retention/settings/import/", views.retention_import, name="retention_import"),
    path("manage/dues/tiers/", views.tier_list, name="tiers"),
    path("manage/dues/tiers/<int:pk>/", views.tier_edit, name="tier_edit"),
    # member end
    path("m/dues/", views_mobile.member_home, name="member_home"),
    path("m/dues/pay/", views_mobile.pay, name="pay"),
    path("m/dues/paid/", views_mobile.paid_list, name="paid"),
    path("m/dues/help/", views_mobile.help_pay, name="help"),
    path("m/dues/donate/", views_mobile.donate, name="donate"),
    path("m/dues/standard/", views_mobile.standard, name="standard"),
    path("m/dues/orders/<int:pk>/", views_mobile.order, name="order"),
    path("m/dues/orders/<int:pk>/cancel/", views_mobile.order_cancel, name="order_cancel"),
    # cadre end
    path("m/cadre/dues/", views_mobile.cadre_query, name="cadre_query"),
    # WeChat Pay → us
    path("pay/wechat/notify/", views_mobile.notify, name="notify"),
]
