from django.urls import path

from services.cadres import mobile as cadres_mobile
from services.members import views_mobile as members_mobile

from .views import mobile

app_name = "mobile"

urlpatterns = [
    # members, inside the official account
    path("", mobile.member_home, name="member_home"),
    path("login/", mobile.member_login, name="member_login"),
    path("oauth/callback/", mobile.member_callback, name="member_callback"),
    path("register/", members_mobile.register, name="member_register"),
    path("dev-login/", mobile.member_dev_login, name="member_dev_login"),
    path("logout/", mobile.logout, name="logout"),
    # cadres, inside WeChat Work
    path("cadre/", mobile.cadre_home, name="cadre_home"),
    path("cadre/login/", mobile.cadre_login, name="cadre_login"),
    path("cadre/oauth/callback/", mobile.cadre_callback, name="cadre_callback"),
    path("cadre/join/", cadres_mobile.join, name="cadre_join"),
    path("cadre/start/", cadres_mobile.start, name="cadre_start"),
    path("cadre/dev-login/", mobile.cadre_dev_login, name="cadre_dev_login"),
]
