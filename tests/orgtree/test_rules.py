import pytest

from orgtree.rules import (
    OrgType,
    allowed_child_types,
    is_primary_or_secondary_school,
    school_code_problem,
    type_allowed_under,
)


@pytest.mark.parametrize("code", ["4144010558", "2144010001", "3744990001", "4111000001"])
def test_valid_school_codes(code):
    assert school_code_problem(code) is None


@pytest.mark.parametrize(
    "code,message",
    [
        ("", "学校组织必须填写10位数字学校标识码"),
        ("414401055", "学校标识码必须是10位数字"),
        ("41440105581", "学校标识码必须是10位数字"),
        ("41440A0558", "学校标识码必须是10位数字"),
        ("４１４４０１０５５８", "学校标识码必须是10位数字"),  # full-width digits
        ("9944010558", "学校标识码前两位不是有效的学校类别代码"),
        ("4199010558", "学校标识码第3、4位不是有效的省份代码"),
    ],
)
def test_invalid_school_codes(code, message):
    assert school_code_problem(code) == message


def test_primary_secondary_schools_are_the_21_to_37_types():
    assert is_primary_or_secondary_school("2144010001")
    assert is_primary_or_secondary_school("3744010001")
    assert not is_primary_or_secondary_school("4144010558")
    assert not is_primary_or_secondary_school("1944010001")


def test_branch_is_a_leaf_and_general_branch_holds_only_branches():
    assert allowed_child_types(OrgType.BRANCH) == ()
    assert allowed_child_types(OrgType.GENERAL_BRANCH) == (OrgType.BRANCH,)


def test_working_committee_only_under_leading_body():
    assert type_allowed_under(OrgType.WORKING, OrgType.LEADING)
    for parent in (OrgType.COMMITTEE, OrgType.WORKING, OrgType.GENERAL_BRANCH, OrgType.BRANCH):
        assert not type_allowed_under(OrgType.WORKING, parent)
