"""报到 form rules people run into: the joining age, saved 是/否 answers on edit, step 4's 团员编号."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.views.mobile import SESSION_PENDING
from services.members import registration, rules
from services.members.forms import ExtraFieldsForm, ReviewedFieldsForm, Step1Form, YesNoField
from services.members.models import Member

from ...factories import login_person, make_id_number
from .conftest import make_member, member_data

pytestmark = pytest.mark.django_db


# --- joining age ------------------------------------------------------------------------------------

@pytest.mark.parametrize("birth, joined, problem", [
    ("19900515", date(2018, 5, 1), None),  # 28 years 0 months at the join month: not over 28
    ("19900515", date(2018, 6, 1), rules.ERR_JOIN_OVER_28),  # 28 years 1 month
    ("19800315", date(2009, 5, 1), rules.ERR_JOIN_OVER_28),  # before 2017 too
    ("19490101", date(1978, 2, 1), rules.ERR_JOIN_OVER_28),
    ("20050315", date(2018, 3, 1), None),  # 13 years 0 months
    ("20050315", date(2018, 2, 1), rules.ERR_JOIN_AGE),  # 12 years 11 months, from 2017
    ("20050315", date(2016, 1, 1), None),  # before 2017 the reference did not check the lower bound
    ("20050315", date(2005, 2, 1), rules.ERR_JOIN_BEFORE_BIRTH),
])
def test_join_date_rule(birth, joined, problem):
    born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    assert rules.join_date_problem(joined, born, date(2026, 6, 1)) == problem


def test_the_joining_age_messages_do_not_contradict_each_other():
    assert "13周岁" in rules.ERR_JOIN_AGE and "十四" not in rules.ERR_JOIN_AGE and "14" not in rules.ERR_JOIN_AGE
    assert "28周岁" in rules.ERR_JOIN_OVER_28 and "13" not in rules.ERR_JOIN_OVER_28


def test_registration_refuses_a_joining_age_over_28_on_the_field(tree):
    data = member_data(tree.branch, birth="19800315", joined=date(2009, 5, 1))
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=data, openid="openid-old")
    assert exc.value.message_dict["joined_league"] == [rules.ERR_JOIN_OVER_28]
    assert not Member.objects.exists()


def test_step_1_shows_the_over_28_message(client, tree):
    _pending_registrant(client, tree)
    response = client.post(reverse("members:register_step", args=[1]), {
        "name": "王五", "id_type": 1, "id_number": make_id_number("19800315"), "joined_league": "2009-05"})
    assert response.status_code == 200
    assert response.context["form"].errors["joined_league"] == [rules.ERR_JOIN_OVER_28]
    assert rules.ERR_JOIN_OVER_28 in response.content.decode()


def test_region_created_after_birth_registers(tree):
    """宝安区 (code given 1992) for someone born 1990: the ID is valid (portal.idcard)."""
    data = member_data(tree.branch, birth="19900101", id_number="440306199001010014", joined=date(2005, 5, 1),
                       is_cadre=True, cadre_post=1, cadre_since=date(2020, 1, 1), cadre_nature=1,
                       party_committee_member=False)  # 36 today: only a cadre registers at that age
    member = registration.member_register(data=data, openid="openid-baoan")
    assert member.birth_date == date(1990, 1, 1)


# --- 是/否 answers -----------------------------------------------------------------------------------

def _selected(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*selected', select)


def test_yes_no_field_shows_a_stored_false_as_no_and_round_trips():
    form = ReviewedFieldsForm(initial={"income": 1, "political_status": 1, "is_cadre": False,
                                       "party_committee_member": None})
    html = str(form["is_cadre"])
    assert _selected(html, "is_cadre") == ["0"]
    assert _selected(str(ReviewedFieldsForm(initial={"is_cadre": True})["is_cadre"]), "is_cadre") == ["1"]
    # what the page shows is what comes back
    bound = ReviewedFieldsForm({"income": "1", "political_status": "1", "is_cadre": form["is_cadre"].value()})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["is_cadre"] is False
    assert YesNoField().prepare_value(None) is None


def test_member_edit_page_shows_the_saved_no_and_saves(client, tree):
    member = make_member(tree.branch)  # is_cadre=False
    login_person(client, member.user)
    page = client.get(reverse("members:profile_edit", args=["reviewed"])).content.decode()
    assert _selected(page, "is_cadre") == ["0"]
    response = client.post(reverse("members:profile_edit", args=["reviewed"]),
                           {"income": 2, "political_status": 1, "is_cadre": "0"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_cadre is False and member.pending_changes


def test_wizard_going_back_keeps_the_no(client, tree):
    _pending_registrant(client, tree)
    data = member_data(tree.branch)
    client.post(reverse("members:register_step", args=[1]), {
        "name": data["name"], "id_type": 1, "id_number": data["id_number"], "joined_league": "2015-05"})
    client.post(reverse("members:register_step", args=[2]), {"income": 1, "political_status": 1, "is_cadre": "0"})
    page = client.get(reverse("members:register_step", args=[2])).content.decode()
    assert _selected(page, "is_cadre") == ["0"]


# --- step 4 and the 团员编号 -------------------------------------------------------------------------

def test_step_4_says_the_member_number_is_required_from_2017_and_marks_it():
    form = ExtraFieldsForm(joined_league=date(2018, 5, 1))
    assert form.fields["member_number"].required and "必填" in form.title and "选填" in form.title
    assert ExtraFieldsForm(joined_league=date(2015, 5, 1)).title == "其他资料（选填）"
    assert not ExtraFieldsForm(joined_league=date(2015, 5, 1)).fields["member_number"].required
    form = ExtraFieldsForm({}, joined_league=date(2018, 5, 1))
    assert form.errors["member_number"] == [rules.ERR_MEMBER_NUMBER_REQUIRED]
    form = ExtraFieldsForm({"member_number": "201712345678"}, joined_league=date(2018, 5, 1))
    assert form.errors["member_number"] == [rules.ERR_MEMBER_NUMBER_FORMAT]


def test_step_4_page_for_a_2018_joiner(client, tree):
    _pending_registrant(client, tree)
    data = member_data(tree.branch, birth="20030315", joined=date(2018, 5, 1))
    steps = {
        1: {"name": data["name"], "id_type": 1, "id_number": data["id_number"], "joined_league": "2018-05"},
        2: {"income": 1, "political_status": 1, "is_cadre": "0"},
        3: {k: data[k] for k in ("phone", "nation", "education", "highest_education", "hukou_province",
                                 "hukou_city", "hukou_county", "join_unit")},
    }
    for step, post in steps.items():
        assert client.post(reverse("members:register_step", args=[step]), post).status_code == 302
    page = client.get(reverse("members:register_step", args=[4])).content.decode()
    assert "团员编号必填" in page and "选填）" in page
    assert re.search(r'<label for="id_member_number">团员编号 \*</label>', page)
    assert re.search(r'<input[^>]*name="member_number"[^>]*required', page)
    response = client.post(reverse("members:register_step", args=[4]), {"member_number": ""})
    assert response.status_code == 200 and rules.ERR_MEMBER_NUMBER_REQUIRED in response.content.decode()
    assert not Member.objects.exists()
    response = client.post(reverse("members:register_step", args=[4]), {"member_number": "201800000123"})
    assert response.status_code == 302
    assert Member.objects.get().member_number == "201800000123"


def test_step_4_page_for_an_earlier_joiner_is_all_optional(client, tree):
    _pending_registrant(client, tree)
    data = member_data(tree.branch)
    client.post(reverse("members:register_step", args=[1]), {
        "name": data["name"], "id_type": 1, "id_number": data["id_number"], "joined_league": "2015-05"})
    page = client.get(reverse("members:register_step", args=[4])).content.decode()
    assert "其他资料（选填）" in page and "团员编号 *" not in page


def _pending_registrant(client, tree):
    client.get(reverse("members:register_branch", args=[tree.branch.code]))
    session = client.session
    session[SESSION_PENDING] = {"kind": "mp", "id": "openid-form-rules"}
    session.save()


def test_step1_form_rule_is_the_service_rule():
    form = Step1Form({"name": "王五", "id_type": 1, "id_number": make_id_number("20050315"),
                      "joined_league": "2018-02"})
    assert form.errors["joined_league"] == [rules.ERR_JOIN_AGE]


def test_registration_at_28_or_over_needs_a_league_post(tree):
    # 77 today, joined at 27: the join date is fine, but without a post the membership has already ended
    data = member_data(tree.branch, birth="19490101", joined=date(1976, 12, 1))
    with pytest.raises(ValidationError) as exc:
        registration.member_register(data=data, openid="openid-old")
    assert exc.value.message_dict["is_cadre"] == [rules.ERR_REGISTER_OVER_28]
    assert not Member.objects.exists()
    # the day before the 28th birthday still registers; a cadre of any age keeps membership
    today = rules.today()
    young = today.replace(year=today.year - 28) + timedelta(days=1)
    registration.member_register(data=member_data(tree.branch, birth=young.strftime("%Y%m%d"),
                                              joined=date(young.year + 15, 1, 1)), openid="openid-young")
    cadre = member_data(tree.branch, birth="19800101", joined=date(1995, 5, 1), is_cadre=True, cadre_post=1,
                        cadre_since=date(2020, 1, 1), cadre_nature=1, party_committee_member=False)
    registration.member_register(data=cadre, openid="openid-cadre")
    assert Member.objects.count() == 2


def test_step_2_refuses_a_member_over_28_who_holds_no_post(client, tree):
    from services.members.forms import ReviewedFieldsForm

    answers = {"income": "1", "political_status": "1", "is_cadre": "0"}
    form = ReviewedFieldsForm(answers, birth_date=date(1990, 1, 1), registering=True)
    assert not form.is_valid() and form.errors["is_cadre"] == [rules.ERR_REGISTER_OVER_28]
    assert ReviewedFieldsForm(answers, birth_date=date(2005, 1, 1), registering=True).is_valid()
    # a later 资料修改 is not 报到: the nightly job handles those who stop being cadres
    assert ReviewedFieldsForm(answers, birth_date=date(1990, 1, 1)).is_valid()
