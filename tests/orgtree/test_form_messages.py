"""The org form shows the service's reasons on the fields, never a constraint's name; required fields
show their ``*`` (the 编制数 of a 基层团委 too, which the service requires by org type)."""

import re

import pytest
from django.urls import reverse

from orgtree.models import Organization
from orgtree.rules import OrgType, school_code_problem
from portal.models import AuditLog

from ..factories import login, refresh
from .test_views import create_payload

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["441234567", "44A1234567", "４４１２３４５６７８"])
def test_bad_school_code_is_refused_on_the_field_with_the_services_reason(client, tree, code):
    login(client, tree.city_a)
    before = Organization.objects.count()
    response = client.post(reverse("orgtree:create"), create_payload(is_school="on", school_code=code))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["school_code"] == [school_code_problem(code)] == ["学校标识码必须是10位数字"]
    assert not form.non_field_errors()
    page = response.content.decode()
    assert "约束" not in page and "org_school_has_code" not in page
    assert Organization.objects.count() == before


def test_nine_digit_school_code_on_edit_is_refused_on_the_field(client, tree):
    login(client, tree.district)
    url = reverse("orgtree:edit", args=[tree.committee.pk])
    payload = create_payload(org_type=OrgType.COMMITTEE, full_name=tree.committee.full_name, short_name="某公司",
                             industry=tree.committee.industry, is_school="on", school_code="441234567")
    response = client.post(url, payload)
    assert response.status_code == 200
    assert response.context["form"].errors["school_code"] == ["学校标识码必须是10位数字"]
    assert "约束" not in response.content.decode()
    assert refresh(tree.committee).is_school is False
    assert not AuditLog.objects.filter(action="org.update").exists()


def _label(page, name):
    return re.search(rf'<label for="id_{name}">([^<]*)</label>', page).group(1)


def test_edit_form_of_a_committee_marks_the_headcount_fields_required(client, tree):
    login(client, tree.district)
    page = client.get(reverse("orgtree:edit", args=[tree.committee.pk])).content.decode()
    for name in ("admin_quota", "admin_staffed", "career_quota", "career_staffed", "industry"):
        assert _label(page, name).endswith(" *"), name
    for name in ("full_name", "short_name", "phone", "email", "org_type"):
        assert _label(page, name).endswith(" *"), name
    for name in ("secretary_name", "wechat_account"):
        assert not _label(page, name).endswith("*"), name
    # and the service holds the rule the asterisk shows
    payload = create_payload(org_type=OrgType.COMMITTEE, full_name=tree.committee.full_name, short_name="某公司",
                             industry=tree.committee.industry, admin_quota="")
    response = client.post(reverse("orgtree:edit", args=[tree.committee.pk]), payload)
    assert response.context["form"].errors["admin_quota"] == ["请填写此项"]


def test_edit_form_shows_the_saved_values(client, tree):
    login(client, tree.district)
    page = client.get(reverse("orgtree:edit", args=[tree.committee.pk])).content.decode()
    assert f'value="{tree.committee.full_name}"' in page
    assert re.search(r'<input[^>]*name="admin_quota"[^>]*value="3"', page)
