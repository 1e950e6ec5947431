"""The background export of a big list: a job with progress, a file only its org can fetch, a message."""

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from services.messaging.models import Message
from services.statistics import downloads
from services.statistics.models import StatExport

from ...factories import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(downloads, "BACKGROUND_ROWS", 3)


def test_big_list_runs_in_the_background_end_to_end(client, province, small_threshold,
                                                    django_capture_on_commit_callbacks):
    t = province.tree
    login(client, t.city_a)
    url = reverse("statistics:members")
    with django_capture_on_commit_callbacks(execute=True):  # Q_CLUSTER sync: the task runs here
        r = client.get(url, {"org": t.city_a.pk, "kind": "registered", "download": "xlsx"})
    job = StatExport.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("statistics:export_job", args=[job.pk])
    assert job.status == StatExport.Status.DONE and job.total == job.processed == 6 and job.org == t.city_a
    page = client.get(r["Location"]).content.decode()
    assert "已完成，共 6 条" in page
    assert re.fullmatch(r"stat_exports/\d{4}/\d{2}/[0-9a-f]{32}\.xlsx", job.file.name)  # private, random name
    file = client.get(reverse("statistics:export_file", args=[job.pk]))
    assert "attachment" in file["Content-Disposition"] and ".xlsx" in file["Content-Disposition"]
    ws = load_workbook(BytesIO(b"".join(file.streaming_content))).active
    rows = list(ws.values)
    assert rows[0][1] == "身份证号码" and len(rows) == 7 and all("********" in row[1] for row in rows[1:])
    message = Message.objects.get(recipient_org=t.city_a, title=downloads.DONE_TITLE)
    assert message.link == reverse("statistics:export_job", args=[job.pk])
    # only the org that asked sees the job and its file
    login(client, t.district)
    assert client.get(reverse("statistics:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("statistics:export_file", args=[job.pk])).status_code == 404
    login(client, t.city_b)
    assert client.get(reverse("statistics:export_file", args=[job.pk])).status_code == 404


def test_a_second_request_while_one_runs_is_refused(client, province, small_threshold):
    t = province.tree
    login(client, t.city_a)
    url = reverse("statistics:members")
    query = {"org": t.city_a.pk, "kind": "registered", "download": "xlsx"}
    client.get(url, query)  # queued: its task runs only after commit, which this test never reaches
    job = StatExport.objects.get()
    assert job.status == StatExport.Status.QUEUED
    r = client.get(url, query, follow=True)
    assert "该列表正在后台导出，请等待完成后再试" in r.content.decode()
    assert StatExport.objects.count() == 1
    assert client.get(reverse("statistics:export_file", args=[job.pk])).status_code == 404  # not ready yet
    page = client.get(reverse("statistics:export_job", args=[job.pk])).content.decode()
    assert "排队中" in page


def test_small_list_streams_at_once(client, province):
    t = province.tree
    login(client, t.city_a)
    r = client.get(reverse("statistics:empty"), {"org": t.city_a.pk, "kind": "branch", "download": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(b"".join(r.streaming_content))).active.values)
    assert list(rows[0]) == ["团组织全称", "上级组织全称", "组织类型", "组织建立时间", "团员人数"]
    assert [row[0] for row in rows[1:]] == [t.branch.full_name]
    assert not StatExport.objects.exists()


def test_give_up_tells_the_org(province):
    t = province.tree
    job = StatExport.objects.create(org=t.city_a, kind="members", params={"kind": "members", "org": t.city_a.pk},
                                    key="k", title="团员名单_广州市")
    from django.utils import timezone

    downloads.give_up([job.pk], timezone.now())
    assert Message.objects.filter(recipient_org=t.city_a, title=downloads.FAILED_TITLE).exists()


def test_a_lost_export_is_run_again_by_the_sweeper(client, province, small_threshold,
                                                   django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from portal import jobs

    t = province.tree
    login(client, t.city_a)
    client.get(reverse("statistics:members"), {"org": t.city_a.pk, "kind": "registered", "download": "xlsx"})
    job = StatExport.objects.get()
    assert job.status == StatExport.Status.QUEUED  # its task was lost with the request's commit
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep(now=timezone.now() + timedelta(hours=1))["statistics.StatExport"] == (1, 0)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.total) == (StatExport.Status.DONE, 2, 6)


def test_a_list_too_big_for_one_sheet_fails_with_a_message(client, province, small_threshold, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    monkeypatch.setattr(downloads, "MAX_ROWS", 5)
    t = province.tree
    login(client, t.city_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("statistics:members"), {"org": t.city_a.pk, "kind": "registered", "download": "xlsx"})
    job = StatExport.objects.get()
    assert job.status == StatExport.Status.FAILED and not job.file
    page = client.get(reverse("statistics:export_job", args=[job.pk])).content.decode()
    assert "无法导出到一个表格" in page
    assert Message.objects.filter(recipient_org=t.city_a, title=downloads.FAILED_TITLE).exists()
