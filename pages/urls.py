"""Announcements, help and the keyword assistant at the three ends (desktop, member, cadre), and the member feed."""

from django.urls import path

from home_articles.views import member_feed_fragment

from . import views

app_name = "pages"

ENDS = {"manage": ("manage/announcements/", "manage/help-center/"),
        "member": ("m/announcements/", "m/help/"),
        "cadre": ("m/cadre/announcements/", "m/cadre/help/")}

# The member feed fragment (home_articles) rides on this app's single include in portal/urls.py.
urlpatterns = [path("m/feed/", member_feed_fragment, name="member_feed")]
for end, (announcements, help_) in ENDS.items():
    kw = {"end": end}
    urlpatterns += [
        path(announcements, views.announcement_list, kw, name=f"{end}_announcements"),
        path(f"{announcements}<int:pk>/", views.announcement_detail, kw, name=f"{end}_announcement"),
        path(help_, views.help_index, kw, name=f"{end}_help"),
        path(f"{help_}<int:pk>/", views.help_article, kw, name=f"{end}_help_article"),
        path(f"{help_}tips/", views.tips, kw, name=f"{end}_tips"),
        path(f"{help_}search/", views.search, kw, name=f"{end}_search"),
    ]
