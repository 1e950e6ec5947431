"""批量审核通过 of 报到 in 我的团员: the same checks as one approval, one result line per member."""

import pytest
from django.urls import reverse

from portal.models import AuditLog
from services.members import review
from services.members.choices import RealNameStatus, RegistrationStatus
from services.members.models import Member
from services.messaging.models import Message

from ...factories import login
from .conftest import make_member

pytestmark = pytest.mark.django_db


def _status(member):
    member.refresh_from_db()
    return member.registration_status


def test_batch_approves_each_with_the_single_checks_and_reports_every_line(client, tree, branch2):
    ok1, ok2 = make_member(tree.branch, approved=False), make_member(tree.branch, approved=False)
    checking = make_member(tree.branch, approved=False)
    Member.objects.filter(pk=checking.pk).update(real_name_status=RealNameStatus.CHECKING)
    done = make_member(tree.branch)
    sibling = make_member(branch2, approved=False)
    login(client, tree.branch)
    page = client.get(reverse("members:manage_list") + "?registration_status=1").content.decode()
    assert "批量审核通过" in page and f'name="ids" value="{ok1.pk}"' in page

    ids = [ok1.pk, checking.pk, done.pk, sibling.pk, ok2.pk]
    response = client.post(reverse("members:approve_batch"), {"ids": ids})
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [(pk, ok, message) for _, pk, ok, message in lines] == [
        (ok1.pk, True, review.BATCH_OK),
        (checking.pk, False, review.ERR_REAL_NAME_CHECKING),
        (done.pk, False, review.ERR_ALREADY_APPROVED),
        (sibling.pk, False, review.ERR_BATCH_NOT_FOUND),  # out of scope: nothing about it is shown
        (ok2.pk, True, review.BATCH_OK),
    ]
    body = response.content.decode()
    assert sibling.name not in body or sibling.name == ok1.name  # names in the factory repeat
    assert sibling.masked_id not in body and "审核通过 <b>2</b> 名" in body
    assert (_status(ok1), _status(ok2), _status(checking), _status(sibling)) == (
        RegistrationStatus.APPROVED, RegistrationStatus.APPROVED, RegistrationStatus.PENDING,
        RegistrationStatus.PENDING)
    # each approval is audited and tells its member, as a single one does
    assert AuditLog.objects.filter(action="member.approve", object_id__in=[str(ok1.pk), str(ok2.pk)]).count() == 2
    assert Message.objects.filter(recipient_user__in=[ok1.user, ok2.user], title="团员报到审核通过").count() == 2


def test_only_the_members_own_branch_approves(client, tree):
    pending = make_member(tree.branch, approved=False)
    login(client, tree.general)  # an ancestor sees the member but does not review 报到
    response = client.post(reverse("members:approve_batch"), {"ids": [pending.pk]})
    assert response.context["lines"][0][2] is False
    assert response.context["lines"][0][3] == review.ERR_NOT_BRANCH
    assert _status(pending) == RegistrationStatus.PENDING
    assert "批量审核通过" not in client.get(reverse("members:manage_list")).content.decode()


def test_bad_input_changes_nothing(client, tree):
    pending = make_member(tree.branch, approved=False)
    login(client, tree.branch)
    response = client.post(reverse("members:approve_batch"), {"ids": []}, follow=True)
    assert review.ERR_BATCH_EMPTY in response.content.decode()
    response = client.post(reverse("members:approve_batch"), {"ids": ["abc", "-1", "9" * 30]}, follow=True)
    assert review.ERR_BATCH_EMPTY in response.content.decode()  # malformed ids are no ids
    response = client.post(reverse("members:approve_batch"),
                           {"ids": list(range(1, review.BATCH_APPROVE_LIMIT + 2))}, follow=True)
    assert review.ERR_BATCH_LIMIT in response.content.decode()
    assert client.get(reverse("members:approve_batch")).status_code == 405
    assert _status(pending) == RegistrationStatus.PENDING
    assert not AuditLog.objects.filter(action="member.approve").exists()
