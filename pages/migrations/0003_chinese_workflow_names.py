"""Wagtail's install data names its default moderation workflow and task "Moderators approval"; the page
editor shows it to our editors as 提交给Moderators approval. Renamed in Chinese (the CMS is Chinese
throughout, issue 10 item 12). Only the names change: who moderates stays as Wagtail set it up."""

from django.db import migrations

NAMES = {"Moderators approval": "审核员审批"}


def rename(apps, schema_editor, names=NAMES):
    for model in ("Workflow", "Task"):
        Model = apps.get_model("wagtailcore", model)
        for old, new in names.items():
            Model.objects.filter(name=old).update(name=new)


def unrename(apps, schema_editor):
    rename(apps, schema_editor, {new: old for old, new in NAMES.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0002_page_tree"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
    ]

    operations = [migrations.RunPython(rename, unrename)]
