"""运营者: set from this org's cadres, log in with the phone number, act with the org's powers, audited."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from portal.models import AuditLog, User
from services.cadres import services
from services.cadres.models import CadreNature, CadrePost

from ...factories import actor_of, login
from .test_cadres import add_cadre


def phone_login(client, phone, password):
    return client.post(reverse("portal:login"), {"username": phone, "password": password})


@pytest.mark.django_db
def test_operator_logs_in_by_phone_acts_for_the_org_and_is_audited_by_name_and_label(client, tree):
    post = add_cadre(tree.committee, name="赵敏", phone="13912345678")
    password = services.operator_set(actor=actor_of(tree.committee), post=post, label="组织委员")
    user = User.objects.get(phone="13912345678")
    assert user.kind == User.Kind.OPERATOR and user.must_change_password and user.check_password(password)
    assert password not in str(list(AuditLog.objects.values_list("after", flat=True)))

    response = phone_login(client, "13912345678", password)
    assert response.status_code == 302
    client.post(reverse("portal:password_change"), {"old_password": password, "new_password1": "Op3rator2026",
                                                    "new_password2": "Op3rator2026"})
    home = client.get(reverse("portal:home"))
    actor = home.wsgi_request.actor
    assert actor.kind == "operator" and actor.org == tree.committee
    assert actor.label == f"{tree.committee.full_name} 组织委员 赵敏"
    # exactly the org's powers: it manages the org's direct children, here the general branch
    assert client.get(reverse("orgtree:edit", args=[tree.general.pk])).status_code == 200
    entry = AuditLog.objects.filter(action="account.password_change").latest("id")
    assert entry.actor_label == f"{tree.committee.full_name} 组织委员 赵敏" and entry.organization == tree.committee


@pytest.mark.django_db
def test_operator_of_one_org_cannot_act_in_another(client, tree):
    post = add_cadre(tree.committee, phone="13912345678")
    other = add_cadre(tree.b_district, id_number="11010519491231002X", phone="13912345679", name="钱七")
    password = services.operator_set(actor=actor_of(tree.committee), post=post, label="干事")
    user = User.objects.get(phone="13912345678")
    user.must_change_password = False
    user.save()
    phone_login(client, "13912345678", password)
    assert client.get(reverse("cadres:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("orgtree:detail", args=[tree.b_district.pk])).status_code == 404


@pytest.mark.django_db
def test_one_cadre_is_operator_of_only_one_org(tree):
    post = add_cadre(tree.district)
    other, _ = services.cadre_create(actor=actor_of(tree.committee), data={
        "id_number": post.person.id_number, "title": "委员", "nature": CadreNature.PART_TIME})
    services.operator_set(actor=actor_of(tree.district), post=post, label="干事")
    with pytest.raises(ValidationError) as exc:
        services.operator_set(actor=actor_of(tree.committee), post=other, label="干事")
    assert exc.value.messages == [services.ERR_OPERATOR_ELSEWHERE.format(org=tree.district.full_name)]
    with pytest.raises(ValidationError, match=services.ERR_ALREADY_OPERATOR_HERE):
        services.operator_set(actor=actor_of(tree.district), post=post, label="干事")
    # after cancelling at the district, the committee may make them its operator; the login follows
    services.operator_cancel(actor=actor_of(tree.district), post=post)
    services.operator_set(actor=actor_of(tree.committee), post=other, label="书记")
    user = User.objects.get(phone=post.person.phone)
    assert user.organization == tree.committee and user.is_active
    assert CadrePost.objects.filter(operator_user__isnull=False).count() == 1


@pytest.mark.django_db
def test_cancel_and_reset_refusals_and_effects(client, tree):
    post = add_cadre(tree.district, phone="13912345678")
    actor = actor_of(tree.district)
    with pytest.raises(ValidationError, match=services.ERR_NOT_OPERATOR_HERE):
        services.operator_cancel(actor=actor, post=post)
    with pytest.raises(ValidationError, match=services.ERR_NOT_OPERATOR):
        services.operator_reset_password(actor=actor, post=post)
    first = services.operator_set(actor=actor, post=post, label="干事")
    second = services.operator_reset_password(actor=actor, post=post)
    user = User.objects.get(phone="13912345678")
    assert second != first and user.check_password(second) and not user.check_password(first)
    services.operator_cancel(actor=actor, post=post)
    assert phone_login(client, "13912345678", second).status_code == 200  # refused: the login form again
    assert not User.objects.get(phone="13912345678").is_active


@pytest.mark.django_db
def test_disabling_or_deleting_an_operator_ends_the_login(tree):
    post = add_cadre(tree.district, phone="13912345678")
    services.operator_set(actor=actor_of(tree.district), post=post, label="干事")
    services.cadre_set_enabled(actor=actor_of(tree.district), post=post, enabled=False)
    assert not User.objects.get(phone="13912345678").is_active and not CadrePost.objects.get().is_operator
    with pytest.raises(ValidationError, match=services.ERR_DISABLED_OPERATOR):
        services.operator_set(actor=actor_of(tree.district), post=post, label="干事")


@pytest.mark.django_db
def test_operator_pages_show_the_password_once(client, tree):
    post = add_cadre(tree.district, phone="13912345678")
    login(client, tree.district)
    response = client.post(reverse("cadres:operator_set", args=[post.pk]), {"label": ""})
    assert response.status_code == 200 and not CadrePost.objects.get().is_operator
    response = client.post(reverse("cadres:operator_set", args=[post.pk]), {"label": "组织委员"}, follow=True)
    page = response.content.decode()
    assert "13912345678" in page and "该密码只显示这一次" in page
    assert "已不能再次查看" in client.get(reverse("cadres:credentials")).content.decode()
    listing = client.get(reverse("cadres:list")).content.decode()
    assert "是（组织委员）" in listing and "取消运营者" in listing


@pytest.mark.django_db
def test_orgs_without_an_operator_get_a_to_do(client, tree):
    login(client, tree.district)
    assert "尚未设置运营者" in client.get(reverse("portal:home")).content.decode()
    post = add_cadre(tree.district)
    services.operator_set(actor=actor_of(tree.district), post=post, label="干事")
    assert "尚未设置运营者" not in client.get(reverse("portal:home")).content.decode()
