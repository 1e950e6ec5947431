"""The CMS is Chinese for every user (issue 10 item 12): settings now offer one admin language and one
time zone, so no one can choose another; a preference stored before (e.g. English) would still win over
the site's language, so it is cleared here."""

from django.db import migrations

LANGUAGE, TIME_ZONE = "zh-hans", "Asia/Shanghai"


def clear_other_preferences(apps, schema_editor):
    UserProfile = apps.get_model("wagtailusers", "UserProfile")
    UserProfile.objects.exclude(preferred_language__in=["", LANGUAGE]).update(preferred_language="")
    UserProfile.objects.exclude(current_time_zone__in=["", TIME_ZONE]).update(current_time_zone="")


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0003_chinese_workflow_names"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
    ]

    operations = [migrations.RunPython(clear_other_preferences, migrations.RunPython.noop)]
