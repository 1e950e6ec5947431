"""Every database constraint of every project app reads as a Chinese reason (never its name), with a
code; check constraints about one field report on that field."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import BaseConstraint, UniqueConstraint

from orgtree.models import Organization
from orgtree.rules import OrgType
from portal.constraints import FieldCheckConstraint

CJK = re.compile(r"[\u4e00-\u9fff]")


def project_constraints():
    root = Path(settings.BASE_DIR).resolve()
    found = []
    for model in apps.get_models():
        path = Path(model._meta.app_config.path).resolve()
        if root not in path.parents or ".venv" in path.parts or "site-packages" in path.parts:
            continue
        found += [(model, c) for c in model._meta.constraints]
    return found


def test_the_walk_finds_every_project_app():
    labels = {model._meta.app_label for model, _ in project_constraints()}
    assert {"portal", "orgtree", "members", "cadres", "messaging", "home_articles"} <= labels
    assert not labels & {"wagtailcore", "auth", "django_q", "axes"}


@pytest.mark.parametrize("model, constraint", project_constraints(),
                         ids=lambda v: getattr(v, "name", getattr(v, "__name__", "")))
def test_constraint_message_is_chinese_with_a_code(model, constraint):
    message = str(constraint.violation_error_message)
    assert message != str(BaseConstraint.default_violation_error_message)
    assert CJK.search(message), message
    assert "约束" not in message and constraint.name not in message
    assert not re.search(r"[A-Za-z]", message), message
    assert constraint.violation_error_code
    if isinstance(constraint, FieldCheckConstraint):
        assert constraint.field in {f.name for f in model._meta.get_fields()}
    if isinstance(constraint, UniqueConstraint) and len(constraint.fields) == 1:
        assert constraint.violation_error_code == "unique"  # Django reports it on the field


@pytest.mark.django_db
def test_a_violated_check_constraint_is_reported_on_its_field(tree):
    org = Organization(org_type=OrgType.COMMITTEE, full_name="x", short_name="x", phone="13800138000",
                       email="a@b.cn", is_school=True, school_code="441234567")
    with pytest.raises(ValidationError) as exc:
        org.validate_constraints()
    assert exc.value.message_dict == {"school_code": ["学校组织必须填写10位数字学校标识码"]}
    assert exc.value.error_dict["school_code"][0].code == "school_code"


@pytest.mark.django_db
def test_a_violated_one_field_unique_constraint_is_reported_on_its_field(tree):
    from portal.models import User

    duplicate = User(username="second-account", kind=User.Kind.ORG, organization=tree.branch)
    with pytest.raises(ValidationError) as exc:
        duplicate.validate_constraints()
    assert exc.value.message_dict == {"organization": ["该团组织已有组织账号，每个团组织只有一个组织账号"]}


def test_field_check_constraint_migrates_as_a_plain_check_constraint():
    constraint = Organization._meta.constraints[3]
    assert isinstance(constraint, FieldCheckConstraint)
    path, _args, kwargs = constraint.deconstruct()
    assert path == "django.db.models.CheckConstraint" and "field" not in kwargs
    assert constraint.clone().field == constraint.field and constraint.clone() == constraint
