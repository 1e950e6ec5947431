"""团费留存设置 imported from Excel by the parent: all or nothing, one message per bad row."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from orgtree.models import Organization
from orgtree.rules import OrgType
from portal.models import AuditLog
from services.dues import retention

from ...factories import actor_of, login, make_child

pytestmark = pytest.mark.django_db


def sheet(rows, headers=None):
    wb = Workbook()
    ws = wb.active
    ws.append(headers or retention.IMPORT_HEADERS)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("团费留存设置.xlsx", out.getvalue(), content_type="application/octet-stream")


def settings_of(*orgs):
    return [tuple(Organization.objects.filter(pk=o.pk).values_list("retains_dues", "retention_ratio",
                                                                     "sub_account_valid")[0]) for o in orgs]


def test_the_parent_imports_its_childrens_settings(tree):
    district2 = make_child(tree.city_a, OrgType.LEADING, "越秀区")
    n = retention.retention_import(actor=actor_of(tree.city_a), upload=sheet([
        [tree.district.code, "天河区", "是", 30, "否"], [district2.code, "", "否", 0, "否"]]))
    assert n == 2
    assert settings_of(tree.district, district2) == [(True, 30, False), (False, 0, False)]
    assert AuditLog.objects.filter(action="dues.retention_import", organization=tree.city_a).count() == 1


def test_any_bad_row_refuses_the_whole_file_with_each_row_named(tree, b_branch):
    district2 = make_child(tree.city_a, OrgType.LEADING, "越秀区")
    with pytest.raises(ValidationError) as exc:
        retention.retention_import(actor=actor_of(tree.city_a), upload=sheet([
            [district2.code, "", "是", 20, "是"],  # fine on its own
            [tree.city_b.code, "", "是", 10, "是"],  # 乙's org: not a direct child
            [tree.committee.code, "", "是", 10, "是"],  # a grandchild
            [tree.district.code, "", "也许", 101, "是"],
            [district2.code, "", "是", 20, "是"],
        ]))
    assert exc.value.messages == [
        f"第3行：{retention.ERR_ROW_ORG}", f"第4行：{retention.ERR_ROW_ORG}",
        "第5行：“有团费留存权限”请填写“是”或“否”；" + retention.ERR_RATIO, f"第6行：{retention.ERR_ROW_DUPLICATE}"]
    assert settings_of(district2, tree.city_b, tree.district) == [(False, 0, False)] * 3


def test_path_sums_are_checked_in_the_new_state(tree):
    Organization.objects.filter(pk=tree.committee.pk).update(retains_dues=True, retention_ratio=60)
    with pytest.raises(ValidationError) as exc:
        retention.retention_import(actor=actor_of(tree.city_a), upload=sheet([[tree.district.code, "", "是", 41, "是"]]))
    assert exc.value.messages == [f"第2行：{retention.ERR_PATH_SUM}"]
    assert settings_of(tree.district) == [(False, 0, False)]
    retention.retention_import(actor=actor_of(tree.city_a), upload=sheet([[tree.district.code, "", "是", 40, "是"]]))
    assert settings_of(tree.district) == [(True, 40, True)]


def test_wrong_template_and_wrong_file_are_refused(tree):
    with pytest.raises(ValidationError) as exc:
        retention.retention_import(actor=actor_of(tree.city_a), upload=sheet([], headers=["组织ID", "比例"]))
    assert exc.value.messages == [retention.ERR_IMPORT_HEADERS]
    with pytest.raises(ValidationError):
        retention.retention_import(actor=actor_of(tree.city_a),
                                   upload=SimpleUploadedFile("a.xlsx", b"not a zip", content_type="text/plain"))
    with pytest.raises(ValidationError) as exc:
        retention.retention_import(actor=actor_of(tree.city_a), upload=sheet([]))
    assert exc.value.messages == [retention.ERR_IMPORT_EMPTY]


def test_export_then_import_through_the_pages(client, tree):
    login(client, tree.city_a)
    response = client.get(reverse("dues:retention_export"))
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    assert list(rows[0]) == retention.IMPORT_HEADERS and rows[1][0] == tree.district.code and len(rows) == 2
    response = client.post(reverse("dues:retention_import"),
                           {"file": sheet([[tree.district.code, "", "是", 101, "否"]])})
    assert response.status_code == 400 and f"第2行：{retention.ERR_RATIO}" in response.content.decode()
    response = client.post(reverse("dues:retention_import"), {"file": sheet([[tree.district.code, "", "是", 15, "否"]])})
    assert response.status_code == 302 and settings_of(tree.district) == [(True, 15, False)]
