"""Site messages: to an org (admin and operators share them) or to a person; read marks; scope; to-dos."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from portal.models import User
from services.messaging import selectors
from services.messaging.models import Delivery, Message
from services.messaging.services import ERR_LINK, notify

from ...factories import actor_of, login, login_person, make_operator, make_person


def _operator(org, name="赵运营"):
    return make_operator(org, name=name)


@pytest.mark.django_db
def test_org_message_reaches_its_admin_and_operators_with_unread_badge(client, tree):
    message = notify(recipient=tree.branch, title="团员报到申请", body="张三提交了报到申请，请审核。",
                     link="/manage/orgs/", sender_org=tree.general)
    login(client, tree.branch)
    page = client.get(reverse("messaging:manage_list")).content.decode()
    assert "团员报到申请" in page and "点击查看" in page
    home = client.get(reverse("portal:home")).content.decode()
    assert "1 条新站内信" in home  # header badge, linking to the list
    assert f'href="{reverse("messaging:manage_list")}" id="header-messages"' in home
    assert "未读站内信" in home  # to-do tile

    operator = _operator(tree.branch)
    client.force_login(operator, backend="portal.backends.AccountBackend")
    assert "团员报到申请" in client.get(reverse("messaging:manage_list")).content.decode()

    # The operator opens it: it is read for the whole org, shown in full, its deep link a button.
    response = client.get(reverse("messaging:manage_open", args=[message.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "张三提交了报到申请，请审核。" in page
    assert 'id="message-link" href="/manage/orgs/"' in page and "该申请已处理" not in page
    assert selectors.unread_count(actor_of(tree.branch)) == 0
    login(client, tree.branch)
    assert "未读站内信" not in client.get(reverse("portal:home")).content.decode()


@pytest.mark.django_db
def test_another_orgs_messages_are_404_and_unlisted(client, tree):
    message = notify(recipient=tree.branch, title="仅限本支部", body="内容")
    for outsider in (tree.general, tree.b_district):  # the parent too: org messages are the org's own
        login(client, outsider)
        assert client.get(reverse("messaging:manage_open", args=[message.pk])).status_code == 404
        assert "仅限本支部" not in client.get(reverse("messaging:manage_list")).content.decode()
    assert Message.objects.get(pk=message.pk).read_at is None


@pytest.mark.django_db
def test_message_to_a_person_is_theirs_alone(client, tree):
    member = make_person(User.Kind.MEMBER, tree.branch)
    other = make_person(User.Kind.MEMBER, tree.branch)
    message = notify(recipient=member, title="报到审核通过", body="您的报到申请已审核通过。", level=Message.Level.USER)
    login_person(client, other)
    assert client.get(reverse("messaging:member_open", args=[message.pk])).status_code == 404
    login(client, tree.branch)  # not even the branch sees a member's own messages
    assert client.get(reverse("messaging:manage_open", args=[message.pk])).status_code == 404

    login_person(client, member)
    home = client.get(reverse("mobile:member_home")).content.decode()
    assert 'id="unread-badge">1<' in home
    listing = client.get(reverse("messaging:member_list")).content.decode()
    assert "报到审核通过" in listing and 'class="unread"' in listing
    detail = client.get(reverse("messaging:member_open", args=[message.pk]))
    assert detail.status_code == 200 and "您的报到申请已审核通过。" in detail.content.decode()
    assert Message.objects.get(pk=message.pk).read_at is not None


@pytest.mark.django_db
def test_cadre_end_lists_the_cadres_messages(client, tree):
    cadre = make_person(User.Kind.CADRE, tree.district)
    notify(recipient=cadre, title="企业号通知", body="请完善职务信息")
    notify(recipient=tree.district, title="组织消息", body="给组织的")
    login_person(client, cadre)
    page = client.get(reverse("messaging:cadre_list")).content.decode()
    assert "企业号通知" in page and "组织消息" not in page  # an ordinary cadre does not act for the org
    assert 'id="unread-badge">1<' in client.get(reverse("mobile:cadre_home")).content.decode()


@pytest.mark.django_db
def test_status_filter_and_mark_read(client, tree):
    first = notify(recipient=tree.branch, title="第一条", body="a")
    notify(recipient=tree.branch, title="第二条", body="b")
    notify(recipient=tree.branch, title="第三条", body="c")
    login(client, tree.branch)
    client.get(reverse("messaging:manage_open", args=[first.pk]))

    def titles(status):
        html = client.get(reverse("messaging:manage_list"), {"status": status}).content.decode()
        return [t for t in ("第一条", "第二条", "第三条") if t in html]

    assert titles("all") == ["第一条", "第二条", "第三条"]
    assert titles("unread") == ["第二条", "第三条"]
    assert titles("read") == ["第一条"]

    response = client.post(reverse("messaging:manage_mark_read"), follow=True)
    assert "请选择需要操作的记录" in response.content.decode()
    second = Message.objects.get(title="第二条")
    client.post(reverse("messaging:manage_mark_read"), {"ids": [second.pk]})
    assert titles("unread") == ["第三条"]
    response = client.post(reverse("messaging:manage_mark_read"), {"all": "1"}, follow=True)
    assert "已将 1 条消息标识为已读" in response.content.decode()
    assert titles("unread") == []


@pytest.mark.django_db
def test_mark_read_cannot_touch_another_orgs_messages(client, tree):
    foreign = notify(recipient=tree.b_district, title="南山区消息", body="x")
    login(client, tree.branch)
    client.post(reverse("messaging:manage_mark_read"), {"ids": [foreign.pk]})
    client.post(reverse("messaging:manage_mark_read"), {"all": "1"})
    assert Message.objects.get(pk=foreign.pk).read_at is None


@pytest.mark.django_db
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(tree):
    for link in ("https://evil.example/", "//evil.example/"):
        with pytest.raises(ValidationError) as exc:
            notify(recipient=tree.branch, title="标题", body="内容", link=link)
        assert exc.value.message_dict["link"] == [ERR_LINK]
    with pytest.raises(ValidationError):
        notify(recipient=tree.branch, title=" ", body="内容")
    with pytest.raises(TypeError):
        notify(recipient="someone", title="标题", body="内容")
    assert Message.objects.count() == 0


@pytest.mark.django_db
def test_a_rolled_back_workflow_leaves_no_message_and_queues_nothing(tree, fake_wechat,
                                                                      django_capture_on_commit_callbacks):
    member = make_person(User.Kind.MEMBER, tree.branch, wechat_id="openid-x")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                notify(recipient=member, title="不会发出", body="x")
                raise RuntimeError("the workflow failed")
    assert callbacks == [] and Message.objects.count() == 0 and Delivery.objects.count() == 0
    assert fake_wechat.calls == []


@pytest.mark.django_db
def test_open_never_redirects_off_site(client, tree):
    message = notify(recipient=tree.branch, title="t", body="b")
    Message.objects.filter(pk=message.pk).update(link="https://evil.example/")  # even if one slipped in
    login(client, tree.branch)
    response = client.get(reverse("messaging:manage_open", args=[message.pk]))
    assert response.status_code == 200 and "evil" not in response.get("Location", "")


@pytest.mark.django_db
def test_an_operators_list_merges_its_own_and_its_orgs_messages_newest_first(client, tree, settings):
    """An operator reads what was sent to them and to the org, each side on its own index and the two
    merged (selectors.messages_for): newest first across both, paged and counted over both, the status
    filter applied to each, and nobody else's messages among them."""
    from portal.actors import actor_for_user
    from services.messaging import views
    from services.messaging.services import message_mark_read

    operator = _operator(tree.branch)
    sent = []
    for n in range(25):  # alternating sides, so the pages interleave them
        recipient = operator if n % 3 == 0 else tree.branch
        sent.append(notify(recipient=recipient, title=f"消息{n:02d}", body="正文"))
    notify(recipient=tree.general, title="别的组织的消息", body="正文")
    notify(recipient=_operator(tree.general, name="钱运营"), title="别人的消息", body="正文")
    actor = actor_for_user(operator)
    newest_first = [m.pk for m in reversed(sent)]
    assert [m.pk for m in selectors.messages_for(actor)] == newest_first
    assert [m.pk for m in selectors.messages_for(actor, newest=4001)] == newest_first
    assert [m.pk for m in selectors.messages_for(actor, newest=4001)[20:25]] == newest_first[20:25]
    message_mark_read(actor=actor, message=selectors.message_get(actor, sent[0].pk))
    assert [m.pk for m in selectors.messages_for(actor, "unread", newest=4001)] == newest_first[:-1]
    assert [m.pk for m in selectors.messages_for(actor, "read", newest=4001)] == [sent[0].pk]
    unread = selectors.messages_page(actor, "unread", 20, 2)  # the page the list shows, prepared
    assert unread.paginator.count == 24 and [m.pk for m in unread] == newest_first[20:24]
    assert [m.pk for m in selectors.messages_page(actor, "read", 20, 1)] == [sent[0].pk]

    client.force_login(operator, backend="portal.backends.AccountBackend")
    first = client.get(reverse("messaging:manage_list"))
    second = client.get(reverse("messaging:manage_list"), {"page": 2})
    assert [r.pk for r in first.context["rows"]] == newest_first[: views.PAGE_SIZE["manage"]]
    assert [r.pk for r in second.context["rows"]] == newest_first[views.PAGE_SIZE["manage"]:]
    assert "共 25 条" in first.content.decode()
    assert "别的组织的消息" not in first.content.decode() + second.content.decode()
    assert "别人的消息" not in first.content.decode() + second.content.decode()
