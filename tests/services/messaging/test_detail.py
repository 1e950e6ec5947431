"""Opening a message shows it in full (its link a button); a 请审核 message says when it was handled."""

import pytest
from django.urls import reverse

from portal.models import User
from services.members import profile, registration, status
from services.members import review as review_flow
from services.messaging import subjects
from services.messaging.models import Message
from services.messaging.services import notify

from ...factories import actor_of, login, login_person, make_member, make_person, member_data

pytestmark = pytest.mark.django_db


def _open(client, message, end="manage"):
    response = client.get(reverse(f"messaging:{end}_open", args=[message.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_message_with_a_link_is_read_in_full_before_following_it(client, tree):
    member = make_person(User.Kind.MEMBER, tree.branch)
    body = "本次主题团日活动要求如下：\n一、……\n二、……" + "详" * 300
    message = notify(recipient=member, title="主题团日通知", body=body, link="/m/")
    login_person(client, member)
    page = _open(client, message, "member")
    assert body in page and 'id="message-link" href="/m/"' in page
    assert Message.objects.get(pk=message.pk).read_at is not None
    cadre = make_person(User.Kind.CADRE, tree.district)
    other = notify(recipient=cadre, title="请完善职务", body="内容", link="/m/cadre/")
    login_person(client, cadre)
    assert 'id="message-link" href="/m/cadre/"' in _open(client, other, "cadre")
    plain = notify(recipient=cadre, title="无链接", body="内容")
    assert 'id="message-link"' not in _open(client, plain, "cadre")


def _review_message(branch, title="团员报到申请"):
    return Message.objects.filter(recipient_org=branch, title=title).latest("id")


def test_a_registration_message_says_once_it_was_handled(client, tree):
    member = make_member(tree.branch, approved=False)
    message = _review_message(tree.branch)
    assert (message.subject_type, message.subject_id) == (registration.SUBJECT_REGISTRATION, member.pk)
    login(client, tree.branch)
    page = _open(client, message)
    assert "请及时审核" in page and "该申请已处理" not in page and 'id="message-link"' in page

    review_flow.member_return(actor=actor_of(tree.branch), member=member, reason="请补充入团时间")
    assert "该申请已处理" in _open(client, message)
    assert "（已处理）" in client.get(reverse("messaging:manage_list")).content.decode()

    # Submitted anew: the new message awaits review, the old one stays handled.
    member.refresh_from_db()
    registration.member_register(data=member_data(tree.branch, name=member.name, id_number=member.id_number),
                            user=member.user)
    again = _review_message(tree.branch)
    assert again.pk != message.pk
    assert subjects.handled_ids([message, again]) == {message.pk}
    review_flow.member_approve(actor=actor_of(tree.branch), member=member)
    assert subjects.handled_ids([message, again]) == {message.pk, again.pk}


def test_a_profile_change_and_a_request_to_the_parent_say_so_too(client, tree):
    member = make_member(tree.branch)
    profile.member_profile_update(member=member, group="reviewed",
                                  data={"income": 3, "political_status": 2, "is_cadre": False})
    change = _review_message(tree.branch, "团员资料修改申请")
    assert subjects.handled_ids([change]) == set()
    profile.change_approve(actor=actor_of(tree.branch), member=member)
    assert subjects.handled_ids([change]) == {change.pk}

    request = status.deletion_apply(actor=actor_of(tree.branch), member=member, reason=2,
                                     description="入团时间填错且被审核通过了，需要删除后重新报到")
    to_parent = _review_message(tree.general, "删除团员审核通知")
    login(client, tree.general)
    assert "该申请已处理" not in _open(client, to_parent)
    status.request_return(actor=actor_of(tree.general), request=request, reason="请核实")
    assert "该申请已处理" in _open(client, to_parent)


def test_informational_subjects_and_other_peoples_messages(client, tree):
    member = make_person(User.Kind.MEMBER, tree.branch)
    message = notify(recipient=member, title="提醒", body="b", subject=("nobody.registered", 1))
    assert subjects.handled_ids([message]) == set()  # nobody says it is pending or handled
    application = make_member(tree.branch, approved=False)
    review = _review_message(tree.branch)
    login(client, tree.city_b)
    assert client.get(reverse("messaging:manage_open", args=[review.pk])).status_code == 404
    login_person(client, application.user)
    assert client.get(reverse("messaging:member_open", args=[review.pk])).status_code == 404


def test_on_the_cadre_end_an_org_message_links_to_the_cadre_page_never_to_the_desktop(client, tree):
    """An operator reads the branch's messages inside WeChat Work: 请及时审核 opens 团员审核 there; a
    message whose work exists only on the service pages says so instead of opening /manage/."""
    from ...factories import make_operator

    make_member(tree.branch, approved=False)
    review = _review_message(tree.branch)
    assert review.link.startswith("/manage/members/")
    operator = make_operator(tree.branch, work_userid="zhao-yunying")
    from portal.models import WeChatIdentity

    from services.cadres.models import CadrePerson
    from services.cadres.services import cadre_choose_identity

    cadre_user = WeChatIdentity.objects.get(external_id="zhao-yunying").user
    person = CadrePerson.objects.get(user=cadre_user)
    cadre_choose_identity(person=person, post_id=person.posts.get().pk)  # works as the branch's operator
    login_person(client, cadre_user)
    page = _open(client, review, "cadre")
    assert f'id="message-link" href="{reverse("members:cadre_review")}?status=1"' in page
    assert "/manage/" not in page.split('id="message-detail"')[1]
    desktop = notify(recipient=tree.branch, title="团籍变更审核结果", body="内容", link=reverse("members:request_list"))
    page = _open(client, desktop, "cadre")
    assert 'id="message-link"' not in page and 'id="message-desktop-only"' in page
    client.force_login(operator, backend="portal.backends.AccountBackend")  # the same message on /manage/
    assert f'href="{reverse("members:request_list")}"' in _open(client, desktop, "manage")
