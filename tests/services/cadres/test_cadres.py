"""团干管理: entry, duplicates across orgs, edit rights, enable/disable, delete, scope."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import AuditLog
from portal.people import ERR_CADRE_AGE
from services.cadres import services
from services.cadres.models import CadreNature, CadrePerson, CadrePost, Education

from ...factories import actor_of, login, make_id_number


def cadre_data(**extra):
    data = {"id_type": 1, "id_number": make_id_number("19950612"), "name": "王志强", "phone": "13800138001",
            "nation": 1, "political_status": 1, "education": Education.BACHELOR, "title": "书记",
            "nature": CadreNature.FULL_TIME, "party_committee_member": False}
    data.update(extra)
    return data


def add_cadre(org, **extra):
    post, _ = services.cadre_create(actor=actor_of(org), data=cadre_data(**extra))
    return post


@pytest.mark.django_db
def test_create_cadre_derives_birth_and_sex_and_audits_a_masked_id(tree):
    number = make_id_number("19950612", female=True)
    post = add_cadre(tree.district, id_number=number)
    person = post.person
    assert person.birth_date.isoformat() == "1995-06-12" and person.sex == 2
    assert person.first_org == tree.district and post.enabled
    entry = AuditLog.objects.get(action="cadre.create")
    assert entry.organization == tree.district and number not in str(entry.after)
    assert entry.after["身份证号码"] == f"{number[:6]}********{number[-4:]}"


@pytest.mark.django_db
def test_same_person_in_another_org_adds_only_that_orgs_post(tree):
    first = add_cadre(tree.district, name="王志强", phone="13800138001")
    post, existing = services.cadre_create(actor=actor_of(tree.committee), data={
        "id_number": first.person.id_number, "name": "改名无效", "phone": "13900000000", "title": "副书记",
        "nature": CadreNature.PART_TIME})
    assert existing and post.person == first.person
    person = CadrePerson.objects.get()
    assert (person.name, person.phone, person.first_org) == ("王志强", "13800138001", tree.district)
    assert list(person.posts.order_by("id").values_list("org__short_name", "title")) == [
        ("天河区", "书记"), ("某公司", "副书记")]


@pytest.mark.django_db
def test_already_a_cadre_here_is_refused(tree):
    post = add_cadre(tree.district)
    with pytest.raises(ValidationError) as exc:
        services.cadre_create(actor=actor_of(tree.district), data=cadre_data(id_number=post.person.id_number))
    assert exc.value.messages == [services.ERR_ALREADY_HERE]
    assert CadrePost.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("field, value, message", [
    ("id_number", "110105194912310021", "身份证号码校验错误"),
    ("id_number", "1101051949", "身份证号码位数不对"),
    ("name", "王2强", services.ERR_NAME_DIGITS),
    ("phone", "23800138001", "手机号码不正确"),
    ("nation", 57, services.ERR_NATION_NAME),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(tree, field, value, message):
    with pytest.raises(ValidationError) as exc:
        services.cadre_create(actor=actor_of(tree.district), data=cadre_data(**{field: value}))
    assert message in exc.value.messages
    assert CadrePerson.objects.count() == 0 and CadrePost.objects.count() == 0
    assert not AuditLog.objects.filter(action="cadre.create").exists()


@pytest.mark.django_db
def test_phone_of_another_person_is_refused(tree):
    add_cadre(tree.district, phone="13800138001")
    with pytest.raises(ValidationError) as exc:
        add_cadre(tree.committee, id_number=make_id_number("19900101"), phone="13800138001")
    assert exc.value.messages == [services.ERR_PHONE_TAKEN]


@pytest.mark.django_db
def test_only_the_first_org_edits_base_information(tree):
    post = add_cadre(tree.district)
    other, _ = services.cadre_create(actor=actor_of(tree.committee), data={
        "id_number": post.person.id_number, "title": "委员", "nature": CadreNature.PART_TIME})
    services.cadre_update(actor=actor_of(tree.committee), post=other, data={"name": "李四", "title": "副书记"})
    other.refresh_from_db()
    assert other.title == "副书记" and other.person.name == "王志强"
    services.cadre_update(actor=actor_of(tree.district), post=post, data={"name": "王志刚"})
    assert CadrePerson.objects.get().name == "王志刚"
    entry = AuditLog.objects.filter(action="cadre.update").latest("id")
    assert entry.before == {"姓名": "王志强"} and entry.after == {"姓名": "王志刚"}


@pytest.mark.django_db
def test_enable_disable_refuses_the_same_state(tree):
    post = add_cadre(tree.district)
    with pytest.raises(ValidationError, match=services.ERR_ALREADY_ENABLED):
        services.cadre_set_enabled(actor=actor_of(tree.district), post=post, enabled=True)
    services.cadre_set_enabled(actor=actor_of(tree.district), post=post, enabled=False)
    with pytest.raises(ValidationError, match=services.ERR_ALREADY_DISABLED):
        services.cadre_set_enabled(actor=actor_of(tree.district), post=post, enabled=False)
    assert AuditLog.objects.filter(action="cadre.disable").count() == 1


@pytest.mark.django_db
def test_delete_removes_only_this_orgs_post(tree):
    post = add_cadre(tree.district)
    other, _ = services.cadre_create(actor=actor_of(tree.committee), data={
        "id_number": post.person.id_number, "title": "委员", "nature": CadreNature.PART_TIME})
    services.cadre_delete(actor=actor_of(tree.committee), post=other)
    assert list(CadrePost.objects.values_list("org", flat=True)) == [tree.district.pk]
    services.cadre_delete(actor=actor_of(tree.district), post=post)
    assert CadrePerson.objects.count() == 0


@pytest.mark.django_db
def test_pages_create_list_edit_and_delete(client, tree):
    login(client, tree.district)
    page = client.get(reverse("cadres:create")).content.decode()
    assert "团支部仅需录入本支部书记" in page  # the entry range is shown
    form = {**cadre_data(), "joined_league": "2010-05", "took_office": "2023-01"}
    response = client.post(reverse("cadres:create"), form)
    post = CadrePost.objects.get()
    assert response["Location"] == reverse("cadres:detail", args=[post.pk])
    assert post.took_office.isoformat() == "2023-01-01"
    listing = client.get(reverse("cadres:list")).content.decode()
    assert "王志强" in listing and "设置运营者" in listing
    detail = client.get(reverse("cadres:detail", args=[post.pk])).content.decode()
    assert post.person.id_number in detail  # the detail within scope shows the full number
    assert post.person.id_number not in listing

    response = client.post(reverse("cadres:edit", args=[post.pk]), {**form, "title": "副书记"})
    assert response.status_code == 302 and CadrePost.objects.get().title == "副书记"
    client.post(reverse("cadres:delete", args=[post.pk]))
    assert CadrePost.objects.count() == 0


@pytest.mark.django_db
def test_page_refusals_are_shown_and_write_nothing(client, tree):
    login(client, tree.district)
    response = client.post(reverse("cadres:create"), {**cadre_data(id_number="110105194912310021")})
    assert "身份证号码校验错误" in response.content.decode()
    response = client.post(reverse("cadres:create"), {"id_type": 1, "id_number": make_id_number("19950612"),
                                                      "title": "书记", "nature": 1})
    assert response.status_code == 200 and "请填写此项" in response.content.decode()
    response = client.post(reverse("cadres:create"), {**cadre_data(), "took_office": "2099-01"})
    assert "选择时间不能大于当前时间" in response.content.decode()
    assert CadrePost.objects.count() == 0


@pytest.mark.django_db
def test_another_orgs_cadres_are_404(client, tree):
    post = add_cadre(tree.committee)
    login(client, tree.b_district)  # a sibling subtree
    for name in ("cadres:detail", "cadres:edit", "cadres:delete", "cadres:operator_set"):
        assert client.get(reverse(name, args=[post.pk])).status_code == 404
    assert client.post(reverse("cadres:disable", args=[post.pk])).status_code == 404
    assert "王志强" not in client.get(reverse("cadres:below")).content.decode()
    # an ancestor sees the post among 所有下级团干 but cannot change it: only its own org's posts
    login(client, tree.district)
    assert "王志强" in client.get(reverse("cadres:below")).content.decode()
    assert client.get(reverse("cadres:detail", args=[post.pk])).status_code == 200
    assert client.get(reverse("cadres:edit", args=[post.pk])).status_code == 404
    assert client.post(reverse("cadres:disable", args=[post.pk])).status_code == 404
    assert CadrePost.objects.get().enabled


@pytest.mark.django_db
def test_member_to_cadre_prefills_the_form_from_a_member_in_scope(client, tree):
    from ...factories import make_member

    member = make_member(tree.branch, name="陈小红", is_cadre=True, cadre_post=1, cadre_since=date(2024, 3, 1),
                         cadre_nature=2, party_committee_member=False)
    login(client, tree.general)
    detail = client.get(reverse("members:detail", args=[member.pk])).content.decode()
    assert f'{reverse("cadres:create")}?member={member.pk}' in detail
    page = client.get(reverse("cadres:create"), {"member": member.pk}).content.decode()
    assert 'value="陈小红"' in page and 'value="书记"' in page and 'value="2024-03"' in page
    assert member.id_number not in page  # left for the person entering to confirm
    login(client, tree.b_district)  # a member outside scope is 404
    assert client.get(reverse("cadres:create"), {"member": member.pk}).status_code == 404


@pytest.mark.django_db
def test_a_member_holding_a_cadre_post_does_not_age_out(tree):
    from services.members import aging
    from services.members.choices import LeagueStatus

    from ...factories import make_member

    cadre = make_member(tree.branch, birth="19900101")
    plain = make_member(tree.branch, birth="19900102")
    post = add_cadre(tree.district, id_number=cadre.id_number, phone="13800138111")
    aging.age_out(as_of=date(2024, 6, 1))
    cadre.refresh_from_db(), plain.refresh_from_db()
    assert (cadre.league_status, plain.league_status) == (LeagueStatus.NORMAL, LeagueStatus.AGED_OUT)
    services.cadre_set_enabled(actor=actor_of(tree.district), post=post, enabled=False)  # no post held now
    aging.age_out(as_of=date(2024, 6, 2))
    cadre.refresh_from_db()
    assert cadre.league_status == LeagueStatus.AGED_OUT


def born_years_ago(years, days=0):
    """YYYYMMDD of a birth date ``years`` years (and ``days`` days) before today."""
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    try:
        birth = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        birth = today.replace(year=today.year - years, day=28)
    return f"{birth - timedelta(days=days):%Y%m%d}"


@pytest.mark.django_db
@pytest.mark.parametrize("birth, ok", [
    (born_years_ago(3), False),  # a 3-year-old
    (born_years_ago(14, days=-1), False),  # 14 tomorrow
    (born_years_ago(14), True),  # 14 today
    (born_years_ago(100), True),
    (born_years_ago(101), False),
])
def test_cadre_age_is_14_to_100_at_entry(tree, birth, ok):
    data = cadre_data(id_number=make_id_number(birth))
    if ok:
        add_cadre(tree.district, **data)
        return
    with pytest.raises(ValidationError) as exc:
        services.cadre_create(actor=actor_of(tree.district), data=data)
    assert exc.value.message_dict["id_number"] == [ERR_CADRE_AGE]
    assert CadrePerson.objects.count() == 0


@pytest.mark.django_db
def test_cadre_form_refuses_a_three_year_old_on_the_id_field(client, tree):
    login(client, tree.district)
    response = client.post(reverse("cadres:create"), cadre_data(id_number=make_id_number(born_years_ago(3))))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["id_number"] == [ERR_CADRE_AGE]
    assert ERR_CADRE_AGE in response.content.decode()
    assert CadrePerson.objects.count() == 0 and CadrePost.objects.count() == 0


@pytest.mark.django_db
def test_cadre_form_marks_the_base_fields_a_new_person_needs(client, tree):
    import re

    login(client, tree.district)
    page = client.get(reverse("cadres:create")).content.decode()
    for name in ("id_number", "name", "phone", "nation", "political_status", "education", "title", "nature"):
        label = re.search(rf'<label for="id_{name}">([^<]*)</label>', page).group(1)
        assert label.endswith(" *"), name
    assert not re.search(r'<label for="id_work_unit">[^<]*\*</label>', page)
