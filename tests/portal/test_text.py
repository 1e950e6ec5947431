"""One text rule for every free-text field: refused with a Chinese message naming the field, the
database unchanged; normalised (NFC, full-width spaces) when accepted."""

import unicodedata

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings, strategies as st

from orgtree import services as org_services
from orgtree.models import Organization
from orgtree.rules import OrgType
from portal import text
from services.cadres import services as cadre_services
from services.cadres.models import CadrePerson
from services.members import registration, review
from services.members.models import Member

from ..factories import actor_of, make_id_number, make_member, member_data, org_data

BAD = ["张\x01三", "\u200b", "张\u200b三", "\u202e三张", "李\u2066明\u2069", "王\ufeff五", "赵\x00六", "钱\u2028七"]


@pytest.mark.parametrize("value", BAD)
def test_invisible_and_control_characters_are_refused_naming_the_field(value):
    assert text.text_problem(value, label="姓名") == text.ERR_INVISIBLE.format(label="姓名")
    with pytest.raises(ValidationError) as exc:
        text.clean_text(value, label="姓名")
    assert "姓名" in exc.value.messages[0]


def test_normalised_nfc_full_width_spaces_and_whitespace_only():
    decomposed = unicodedata.normalize("NFD", "Zoë")
    assert text.clean_text(decomposed, label="姓名") == "Zoë" and len(text.clean_text(decomposed, label="姓名")) == 3
    assert text.clean_text("\u3000广州\u3000天河\u3000", label="地址") == "广州 天河"
    assert text.text_problem("\u3000 \t", label="姓名", required=True) == text.ERR_BLANK.format(label="姓名")
    assert text.clean_text("第一行\r\n第二行\t", label="说明", multiline=True) == "第一行\n第二行"
    assert text.text_problem("第一行\n第二行", label="标题") is not None  # a one-line field has no line breaks
    assert text.clean_text("👨\u200d👩\u200d👧", label="昵称") == "👨\u200d👩\u200d👧"  # ZWJ joins emoji


def _forbidden(ch):
    category = unicodedata.category(ch)
    return category in ("Cc", "Cs", "Co", "Zl", "Zp") or (category == "Cf" and ch not in "\u200c\u200d")


@settings(max_examples=300, deadline=None)
@given(st.characters(categories=["Cc", "Cf", "Co", "Zl", "Zp"]).filter(_forbidden))
def test_a_forbidden_character_inside_text_is_always_refused(bad):
    assert text.text_problem("张" + bad + "三", label="名称") == text.ERR_INVISIBLE.format(label="名称")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=12))
def test_whatever_is_accepted_is_clean(value):
    try:
        out = text.clean_text(value, label="名称")
    except ValidationError:
        return
    assert not any(_forbidden(ch) for ch in out)
    assert out == unicodedata.normalize("NFC", out) and "\u3000" not in out and out == out.strip()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["张\x01三", "\u200b\u200b", "张\u202e三"])
def test_registration_refuses_on_the_name_and_writes_nothing(tree, value):
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=member_data(tree.branch, name=value), openid="openid-bad")
    assert exc.value.message_dict["name"] == [text.ERR_INVISIBLE.format(label="姓名")]
    assert not Member.objects.exists()


@pytest.mark.django_db
def test_registration_stores_normalised_text(tree):
    m = registration.member_register(
        data=member_data(tree.branch, name="李\u3000小明", join_unit=unicodedata.normalize("NFD", "Café中学")),
        openid="openid-ok")
    assert m.name == "李 小明" and m.join_unit == "Café中学"


@pytest.mark.django_db
def test_org_names_that_only_look_like_another_are_refused(tree):
    before = Organization.objects.count()
    lookalike = tree.district.full_name[:3] + "\u200b" + tree.district.full_name[3:]
    with pytest.raises(ValidationError) as exc:
        org_services.org_create(actor=actor_of(tree.city_a), data=org_data(OrgType.LEADING, name="天河区",
                                                                           full_name=lookalike))
    assert exc.value.message_dict["full_name"] == [text.ERR_INVISIBLE.format(label="团组织全称")]
    assert Organization.objects.count() == before


@pytest.mark.django_db
def test_cadre_reasons_and_status_descriptions_follow_the_rule(tree):
    with pytest.raises(ValidationError) as exc:
        cadre_services.cadre_create(actor=actor_of(tree.district), data={
            "id_type": 1, "id_number": make_id_number("19950612"), "name": "王\x07志强", "phone": "13800138001",
            "nation": 1, "political_status": 1, "education": 5, "title": "书记", "nature": 1})
    assert "name" in exc.value.message_dict and not CadrePerson.objects.exists()
    m = make_member(tree.branch, approved=False)
    with pytest.raises(ValidationError) as exc:
        review.member_return(actor=actor_of(tree.branch), member=m, reason="资料\u202e有误")
    assert exc.value.message_dict["reason"] == [text.ERR_INVISIBLE.format(label="退回原因")]
    m.refresh_from_db()
    assert m.registration_status == 1


# --- dates with bounds (portal.people.life_date_problem) ---------------------------------------------

def test_each_date_gets_the_range_its_meaning_allows():
    from datetime import date

    from portal import people

    today, birth = date(2026, 12, 3), date(2000, 3, 15)
    p = people.life_date_problem
    assert p("birth", date(1, 1, 1), birth=None, today=today) == people.ERR_BIRTH_RANGE
    assert p("birth", date(1900, 1, 1), birth=None, today=today) == people.ERR_BIRTH_RANGE
    assert p("birth", date(2027, 1, 1), birth=None, today=today) == people.ERR_BIRTH_RANGE
    assert p("birth", date(1927, 1, 1), birth=None, today=today) is None
    assert p("party", date(2018, 2, 1), birth=birth, today=today) == people.ERR_PARTY_RANGE  # 17 years 11 months
    assert p("party", date(2018, 3, 1), birth=birth, today=today) is None  # the month of the 18th birthday
    assert p("party", date(1900, 1, 1), birth=None, today=today) == people.ERR_PARTY_RANGE
    assert p("office", date(2014, 2, 1), birth=birth, today=today) == people.ERR_OFFICE_RANGE
    assert p("office", date(2027, 1, 1), birth=birth, today=today) == people.ERR_OFFICE_RANGE
    assert p("office", date(2026, 12, 1), birth=birth, today=today) is None
    assert p("volunteer", date(2000, 3, 14), birth=birth, today=today) == people.ERR_VOLUNTEER_RANGE
    assert p("league", date(1999, 1, 1), birth=birth, today=today) == people.ERR_LEAGUE_RANGE


@pytest.mark.django_db
def test_member_and_cadre_services_refuse_dates_out_of_range(tree):
    from datetime import date

    from portal import people

    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=member_data(tree.branch, joined_party=date(1, 1, 1)), openid="o-1")
    assert exc.value.message_dict["joined_party"] == [people.ERR_PARTY_RANGE]
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=member_data(tree.branch, id_type=2, id_number="H12345678",
                                                         birth_date=date(1900, 1, 1)), openid="o-2")
    assert exc.value.message_dict["birth_date"] == [people.ERR_BIRTH_RANGE]
    assert not Member.objects.exists()
    with pytest.raises(ValidationError) as exc:
        cadre_services.cadre_create(actor=actor_of(tree.district), data={
            "id_type": 1, "id_number": make_id_number("19950612"), "name": "王志强", "phone": "13800138001",
            "nation": 1, "political_status": 1, "education": 5, "title": "书记", "nature": 1,
            "took_office": date(1900, 1, 1)})
    assert exc.value.message_dict["took_office"] == [people.ERR_OFFICE_RANGE]
    assert not CadrePerson.objects.exists()


@pytest.mark.django_db
def test_messages_and_broadcasts_follow_the_rule(tree):
    from services.messaging.models import Broadcast, Message
    from services.messaging.services import broadcast_send, notify

    with pytest.raises(ValidationError) as exc:
        notify(recipient=tree.branch, title="通知\u202e", body="内容")
    assert exc.value.message_dict["title"] == [text.ERR_INVISIBLE.format(label="标题")]
    with pytest.raises(ValidationError) as exc:
        broadcast_send(actor=actor_of(tree.city_a), title="通知", body="第一行\n张\x01三", to_members=True)
    assert exc.value.message_dict["body"] == [text.ERR_INVISIBLE.format(label="内容")]
    assert not Message.objects.filter(title__startswith="通知").exists() and not Broadcast.objects.exists()
    message = notify(recipient=tree.branch, title="\u3000周五\u3000例会", body="第一行\r\n第二行")
    assert (message.title, message.body) == ("周五 例会", "第一行\n第二行")


@settings(max_examples=300)
@given(value=st.text(st.characters(blacklist_categories=("M", "Cs")), max_size=120), length=st.integers(10, 100))
def test_clip_cuts_as_djangos_truncator_does(value, length):
    from django.utils.text import Truncator

    value = unicodedata.normalize("NFC", value)
    assert text.clip(value, length) == Truncator(value).chars(length)
