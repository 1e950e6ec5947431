"""专项工作群: created in WeChat Work (appchat) from the directory, kept with its members, messaged."""

import pytest
from django.urls import reverse

from services.cadres import groups, services
from services.cadres.models import CadrePerson, WorkingGroup

from .test_cadres import add_cadre


def joined(org, phone, name, id_number):
    post = add_cadre(org, phone=phone, name=name, id_number=id_number)
    services.cadre_join(person=post.person, userid=phone)
    return CadrePerson.objects.get(pk=post.person_id)


@pytest.fixture
def people(tree):
    return {
        "me": joined(tree.committee, "13800138001", "王志强", "440106200001010019"),
        "colleague": joined(tree.b_district, "13800138002", "李娜", "11010519491231002X"),
        "stranger": add_cadre(tree.district, phone="13800138003", name="赵未入驻").person,
    }


@pytest.mark.django_db
def test_a_cadre_creates_a_cross_level_group_and_messages_it(client, tree, people, fake_wechat):
    me, colleague = people["me"], people["colleague"]
    client.force_login(me.user, backend="portal.backends.WeChatBackend")
    page = client.get(reverse("cadres:m_group_new"), {"q": "李娜"}).content.decode()
    assert f'value="{colleague.pk}"' in page
    response = client.post(reverse("cadres:m_group_new"), {"name": "青年大学习专班", "members": [colleague.pk]})
    group = WorkingGroup.objects.get()
    assert response["Location"] == reverse("cadres:m_group", args=[group.pk])
    created = fake_wechat.received("/work/cgi-bin/appchat/create")[0]["json"]
    assert created == {"chatid": group.chat_id, "name": "青年大学习专班", "owner": "13800138001",
                       "userlist": ["13800138001", "13800138002"]}
    assert set(group.members.all()) == {me, colleague}

    client.post(reverse("cadres:m_group", args=[group.pk]), {"text": "周五前报送材料"})
    sent = fake_wechat.received("/work/cgi-bin/appchat/send")[0]["json"]
    assert sent["chatid"] == group.chat_id and sent["text"] == {"content": "王志强：周五前报送材料"}
    assert "青年大学习专班" in client.get(reverse("cadres:m_groups")).content.decode()


@pytest.mark.django_db
def test_group_refusals(client, tree, people, fake_wechat, settings):
    me = people["me"]
    with pytest.raises(Exception, match="以下团干尚未入驻企业号，不能拉入群聊：赵未入驻"):
        groups.group_create(owner=me, name="专班", member_ids=[people["stranger"].pk])
    with pytest.raises(Exception, match=groups.ERR_TOO_FEW):
        groups.group_create(owner=me, name="专班", member_ids=[me.pk])
    fake_wechat.script("/work/cgi-bin/appchat/create", {"errcode": 86215, "errmsg": "chat exists"})
    with pytest.raises(Exception, match="错误码 86215"):
        groups.group_create(owner=me, name="专班", member_ids=[people["colleague"].pk])
    settings.WECHAT = {**settings.WECHAT, "WORK_CORP_ID": ""}
    with pytest.raises(Exception, match=groups.ERR_OFF):
        groups.group_create(owner=me, name="专班", member_ids=[people["colleague"].pk])
    assert WorkingGroup.objects.count() == 0


@pytest.mark.django_db
def test_only_members_see_a_group(client, tree, people, fake_wechat):
    group = groups.group_create(owner=people["me"], name="专班", member_ids=[people["colleague"].pk])
    outsider = joined(tree.general, "13800138009", "钱七", "440106200801010017")
    client.force_login(outsider.user, backend="portal.backends.WeChatBackend")
    assert client.get(reverse("cadres:m_group", args=[group.pk])).status_code == 404
    assert client.post(reverse("cadres:m_group", args=[group.pk]), {"text": "x"}).status_code == 404
    assert not fake_wechat.received("/work/cgi-bin/appchat/send")
