from django.urls import path

from .views import audit, auth, home

app_name = "portal"

urlpatterns = [
    path("", home.home, name="home"),
    path("ping/", home.ping, name="ping"),
    path("help/", home.help_center, name="help"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("login/captcha.png", auth.login_captcha, name="login_captcha"),
    path("logout/", auth.auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth.password_change, name="password_change"),
    path("system/audit/", audit.audit_list, name="audit_list"),
    path("system/audit/<int:pk>/", audit.audit_detail, name="audit_detail"),
]
