"""成长档案打包下载: a branch's archives of a year as one zip built by a django-q2 task (run in-process here:
the test settings' cluster is synchronous), the org told through notify, the download scoped to the
requesting org and its ancestors; a second request while one is queued or running is refused in Chinese."""

import io
import zipfile
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import jobs
from services.evaluation import archive_jobs
from services.evaluation import services as evaluation_flow
from services.evaluation.models import ArchiveJob
from services.messaging.models import Message

from ..factories import actor_of, login, make_member
from .conftest import give_awards
from .tools import assert_cjk_font_embedded, assert_person, text

pytestmark = pytest.mark.django_db
YEAR = 2025


@pytest.fixture
def members(tree):
    ms = [make_member(tree.branch, name=n) for n in ("赵档案", "钱档案", "孙档案")]
    evaluation_flow.grades_save(actor=actor_of(tree.branch), year=YEAR, grades={ms[0].pk: 2, ms[1].pk: 3, ms[2].pk: 4})
    evaluation_flow.evaluation_submit(actor=actor_of(tree.branch), year=YEAR)
    give_awards(tree.general, ms[0], ["优秀团员"], awarded_on=date(2025, 5, 4))
    return ms


def _start(client, branch, year=YEAR, **capture):
    return client.post(reverse("evaluation:archive_jobs"), {"branch": branch.pk, "year": year})


def test_zip_end_to_end_with_notify_and_download(client, tree, members, django_capture_on_commit_callbacks):
    login(client, tree.general)
    archive_page = client.get(reverse("evaluation:branch_archive"), {"branch": tree.branch.pk}).content.decode()
    assert f'{reverse("evaluation:archive_jobs")}?branch={tree.branch.pk}' in archive_page
    assert "开始打包" in client.get(reverse("evaluation:archive_jobs"), {"branch": tree.branch.pk}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the queued task runs in-process (sync cluster)
        response = _start(client, tree.branch)
    job = ArchiveJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("evaluation:archive_job", args=[job.pk])
    assert (job.status, job.total, job.processed, job.org_id) == (ArchiveJob.Status.DONE, 3, 3, tree.general.pk)
    assert job.file and job.size > 0 and "test-private" in job.file.path  # private storage, not MEDIA_ROOT

    message = Message.objects.get(recipient_org=tree.general, title=archive_jobs.DONE_TITLE)
    assert message.link == reverse("evaluation:archive_job", args=[job.pk]) and "3人" in message.body
    page = client.get(message.link).content.decode()
    assert "已完成" in page and reverse("evaluation:archive_job_download", args=[job.pk]) in page

    response = client.get(reverse("evaluation:archive_job_download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment; filename*=utf-8''" in response["Content-Disposition"]
    zf = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(zf.namelist())
    assert names[0] == "000-成长档案名单.pdf" and len(names) == 4
    listing = zf.read(names[0])
    assert_cjk_font_embedded(listing)
    for m in members:
        assert m.name in text(listing) and m.masked_id in text(listing) and m.id_number not in text(listing)
        own = [n for n in names if m.name in n]
        assert len(own) == 1
        data = zf.read(own[0])
        assert_person(data, m)
        assert_cjk_font_embedded(data)
    assert "优秀团员" in text(zf.read(next(n for n in names if "赵档案" in n)))
    assert "不合格" in text(listing)


def test_second_request_while_queued_is_refused_then_allowed_after(client, tree, members,
                                                                 django_capture_on_commit_callbacks):
    login(client, tree.branch)
    _start(client, tree.branch)  # not committed in this test: the task is not run, the job stays queued
    job = ArchiveJob.objects.get()
    assert job.status == ArchiveJob.Status.QUEUED
    response = _start(client, tree.branch)
    assert ArchiveJob.objects.count() == 1
    assert archive_jobs.ERR_RUNNING.format(year=YEAR) in client.get(response["Location"]).content.decode()
    ArchiveJob.objects.filter(pk=job.pk).update(status=ArchiveJob.Status.RUNNING)
    _start(client, tree.branch)
    assert ArchiveJob.objects.count() == 1
    _start(client, tree.branch, year=YEAR - 1)  # another year of the same branch is another job
    assert ArchiveJob.objects.count() == 2
    assert archive_jobs.archive_job_run(job.pk) is None  # only a queued job is claimed
    archive_jobs.archive_job_run(ArchiveJob.objects.get(year=YEAR - 1).pk)
    ArchiveJob.objects.filter(pk=job.pk).update(status=ArchiveJob.Status.DONE)
    _start(client, tree.branch)
    assert ArchiveJob.objects.filter(year=YEAR).count() == 2


def test_bad_input_is_a_chinese_error_with_nothing_written(client, tree, members):
    login(client, tree.general)
    response = _start(client, tree.general)  # not a branch
    assert archive_jobs.ERR_NOT_BRANCH in client.get(response["Location"]).content.decode()
    for year in ("", "abc", "1999", str(timezone.localdate().year + 1)):
        response = client.post(reverse("evaluation:archive_jobs"), {"branch": tree.branch.pk, "year": year})
        assert archive_jobs.ERR_YEAR in client.get(response["Location"]).content.decode()
    assert not ArchiveJob.objects.exists()


def test_scope_of_the_job_and_its_download(client, tree, members, b_branch, branch2,
                                           django_capture_on_commit_callbacks):
    login(client, tree.general)
    with django_capture_on_commit_callbacks(execute=True):
        _start(client, tree.branch)
    job = ArchiveJob.objects.get()
    urls = [reverse("evaluation:archive_job", args=[job.pk]), reverse("evaluation:archive_job_download", args=[job.pk])]
    for org in (tree.general, tree.committee, tree.city_a, tree.province):  # the org and its ancestors
        login(client, org)
        for url in urls:
            assert client.get(url).status_code == 200, (org, url)
    for org in (tree.branch, branch2, tree.city_b, b_branch):  # below the asking org, or a sibling
        login(client, org)
        for url in urls:
            assert client.get(url).status_code == 404, (org, url)
        assert urls[0] not in client.get(reverse("evaluation:archive_jobs")).content.decode()
    login(client, tree.city_b)
    assert _start(client, tree.branch).status_code == 404  # 甲's branch named by 乙
    login(client, tree.general)
    assert _start(client, b_branch).status_code == 404
    assert ArchiveJob.objects.count() == 1


def test_job_list_queries_do_not_grow_with_jobs(client, tree, members, branch2):
    login(client, tree.general)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("evaluation:archive_jobs")).status_code == 200
        return len(ctx)

    ArchiveJob.objects.create(org=tree.general, branch=tree.branch, year=YEAR, status=ArchiveJob.Status.DONE)
    count()  # the first request of a login also reads what later ones find cached
    one = count()
    for year in range(YEAR - 4, YEAR):
        ArchiveJob.objects.create(org=tree.general, branch=branch2, year=year, status=ArchiveJob.Status.DONE)
    assert count() == one


def test_a_lost_job_is_requeued_then_failed_for_good_with_the_org_told(tree, members):
    assert "evaluation.ArchiveJob" in jobs.registered()
    job = archive_jobs.archive_job_start(actor=actor_of(tree.general), branch=tree.branch, year=YEAR)
    later = timezone.now() + timedelta(hours=1)
    jobs.sweep(now=later)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (ArchiveJob.Status.QUEUED, 2)
    ArchiveJob.objects.filter(pk=job.pk).update(attempts=archive_jobs.ARCHIVE_ATTEMPTS)
    jobs.sweep(now=later + timedelta(hours=1))
    job.refresh_from_db()
    assert job.status == ArchiveJob.Status.FAILED and job.error == archive_jobs.ERR_GAVE_UP
    message = Message.objects.get(recipient_org=tree.general, title=archive_jobs.FAILED_TITLE)
    assert tree.branch.full_name in message.body and archive_jobs.ERR_GAVE_UP in message.body
