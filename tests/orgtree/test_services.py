import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test.utils import CaptureQueriesContext
from django.db import connection

from orgtree import services
from orgtree.models import IssuedOrgCode, Organization
from orgtree.rules import Industry, OrgType
from portal.models import AuditLog, User

from ..factories import actor_of, make_child, org_data, refresh

pytestmark = pytest.mark.django_db


def errors_of(excinfo):
    return excinfo.value.message_dict


# ---- create ------------------------------------------------------------------------------


def test_create_child_issues_code_and_account_with_one_time_password(tree):
    org, password = services.org_create(actor=actor_of(tree.city_a), data=org_data(OrgType.LEADING, "海珠区"))
    org = refresh(org)
    assert org.parent_path == tree.city_a.path and org.depth == tree.city_a.depth + 1
    assert refresh(tree.city_a).numchild == 2
    account = User.objects.get(organization=org, kind=User.Kind.ORG)
    assert account.username == org.code
    assert account.must_change_password is True
    assert account.password != password and password not in account.password  # stored only hashed
    assert account.check_password(password)
    assert len(password) >= 8 and any(c.isdigit() for c in password) and any(c.isalpha() for c in password)
    entry = AuditLog.objects.get(action="org.create", object_id=str(org.pk))
    assert entry.organization == tree.city_a and entry.ip == "127.0.0.1"
    assert entry.after["团组织全称"] == org.full_name
    assert password not in str(entry.after)


def test_org_codes_are_unique_and_never_reused(tree):
    actor = actor_of(tree.city_a)
    org, _ = services.org_create(actor=actor, data=org_data(OrgType.LEADING, "荔湾区"))
    deleted_code = org.code
    services.org_delete(actor=actor, org=org)
    again, _ = services.org_create(actor=actor, data=org_data(OrgType.LEADING, "荔湾区"))
    assert again.code != deleted_code
    assert int(again.code) > int(deleted_code)
    assert IssuedOrgCode.objects.filter(pk=int(deleted_code) - IssuedOrgCode.CODE_BASE).exists()


def test_branch_cannot_get_children(tree):
    before = Organization.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.org_create(actor=actor_of(tree.branch), data=org_data(OrgType.BRANCH))
    assert errors_of(excinfo)["org_type"] == [services.ERR_BRANCH_IS_LEAF]
    assert Organization.objects.count() == before


def test_database_refuses_a_child_under_a_branch_even_past_the_service(tree):
    branch = refresh(tree.branch)
    with pytest.raises(IntegrityError), transaction.atomic():
        branch.add_child(code="x1", org_type=OrgType.BRANCH, full_name="x", short_name="x",
                         phone="13800138000", email="a@b.cn", industry=Industry.OTHER)


def test_working_committee_only_under_a_leading_body(tree):
    with pytest.raises(ValidationError) as excinfo:
        services.org_create(actor=actor_of(tree.committee), data=org_data(OrgType.WORKING))
    assert errors_of(excinfo)["org_type"] == ["“基层团委”下不能建立“团工委”"]
    org, _ = services.org_create(actor=actor_of(tree.district), data=org_data(OrgType.WORKING, "石牌街道"))
    assert org.org_type == OrgType.WORKING


def test_general_branch_holds_only_branches(tree):
    with pytest.raises(ValidationError) as excinfo:
        services.org_create(actor=actor_of(tree.general), data=org_data(OrgType.COMMITTEE))
    assert errors_of(excinfo)["org_type"] == ["“团总支”下不能建立“基层团委”"]
    services.org_create(actor=actor_of(tree.general), data=org_data(OrgType.BRANCH))


def test_school_org_needs_a_valid_code(tree):
    before = Organization.objects.count()
    for code, message in [("", "学校组织必须填写10位数字学校标识码"), ("41440105", "学校标识码必须是10位数字"),
                          ("9944010558", "学校标识码前两位不是有效的学校类别代码")]:
        with pytest.raises(ValidationError) as excinfo:
            services.org_create(actor=actor_of(tree.province),
                                data=org_data(OrgType.COMMITTEE, "中山大学", is_school=True, school_code=code))
        assert errors_of(excinfo)["school_code"] == [message]
    assert Organization.objects.count() == before
    org, _ = services.org_create(actor=actor_of(tree.province),
                                 data=org_data(OrgType.COMMITTEE, "中山大学", is_school=True, school_code="4144010558"))
    assert org.school_code == "4144010558"


def test_school_branch_needs_graduation_year(tree):
    school, _ = services.org_create(actor=actor_of(tree.province),
                                    data=org_data(OrgType.COMMITTEE, "华南理工", is_school=True,
                                                  school_code="4144010561"))
    with pytest.raises(ValidationError) as excinfo:
        services.org_create(actor=actor_of(school),
                            data=org_data(OrgType.BRANCH, "2023级1班", is_school=True, school_code="4144010561"))
    assert errors_of(excinfo)["graduation_year"] == [services.ERR_GRADUATION_YEAR_REQUIRED]
    branch, _ = services.org_create(actor=actor_of(school),
                                    data=org_data(OrgType.BRANCH, "2023级1班", is_school=True,
                                                  school_code="4144010561", graduation_year=2027))
    assert branch.graduation_year == 2027


def test_non_school_org_drops_school_fields(tree):
    org, _ = services.org_create(actor=actor_of(tree.city_a),
                                 data=org_data(OrgType.LEADING, is_school=False, school_code="4144010558",
                                               graduation_year=2027))
    assert org.school_code == "" and org.graduation_year is None


def test_type_dependent_required_fields(tree):
    data = org_data(OrgType.COMMITTEE)
    del data["admin_quota"], data["industry"]
    with pytest.raises(ValidationError) as excinfo:
        services.org_create(actor=actor_of(tree.district), data=data)
    assert errors_of(excinfo)["admin_quota"] == [services.ERR_HEADCOUNT_REQUIRED]
    assert errors_of(excinfo)["industry"] == [services.ERR_INDUSTRY_REQUIRED]
    # A branch has no 编制 numbers and a leading body no 行业类别: given ones are dropped.
    branch, _ = services.org_create(actor=actor_of(tree.general), data=org_data(OrgType.BRANCH, admin_quota=5))
    assert branch.admin_quota is None
    leading, _ = services.org_create(actor=actor_of(tree.city_a), data=org_data(OrgType.LEADING, industry=3))
    assert leading.industry is None


@pytest.mark.parametrize(
    "field,value,message",
    [("phone", "12345", "联系电话不正确"), ("phone", "020-123", "联系电话不正确"),
     ("email", "not-an-email", "电子邮箱不正确"), ("full_name", "长" * 100, None)],
)
def test_bad_field_formats_are_refused_in_chinese(tree, field, value, message):
    before = Organization.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.org_create(actor=actor_of(tree.city_a), data=org_data(OrgType.LEADING, **{field: value}))
    if message:
        assert errors_of(excinfo)[field] == [message]
    else:
        assert field in errors_of(excinfo)
    assert Organization.objects.count() == before


@pytest.mark.parametrize("phone", ["13800138000", "020-87195512", "02087195512", "0755-1234567"])
def test_phone_accepts_mobile_or_landline(tree, phone):
    org, _ = services.org_create(actor=actor_of(tree.city_a), data=org_data(OrgType.LEADING, phone=phone))
    assert org.phone == phone


# ---- direct-parent-only management -------------------------------------------------------


def test_only_the_direct_parent_edits(tree):
    with pytest.raises(PermissionDenied):
        services.org_update(actor=actor_of(tree.city_a), org=tree.committee, data={"short_name": "x"})
    org = services.org_update(actor=actor_of(tree.district), org=tree.committee, data={"short_name": "新简称"})
    assert refresh(org).short_name == "新简称"
    entry = AuditLog.objects.get(action="org.update")
    assert entry.before == {"团组织简称": "某公司"} and entry.after == {"团组织简称": "新简称"}


def test_edit_cannot_make_a_parent_into_a_branch(tree):
    with pytest.raises(ValidationError) as excinfo:
        services.org_update(actor=actor_of(tree.committee), org=tree.general, data={"org_type": OrgType.BRANCH})
    assert errors_of(excinfo)["org_type"] == [services.ERR_BRANCH_HAS_CHILDREN]
    assert refresh(tree.general).org_type == OrgType.GENERAL_BRANCH


def test_edit_type_must_still_fit_parent_and_children(tree):
    with pytest.raises(ValidationError) as excinfo:
        services.org_update(actor=actor_of(tree.committee), org=tree.general, data={"org_type": OrgType.WORKING})
    assert errors_of(excinfo)["org_type"] == ["“基层团委”下不能建立“团工委”"]


def test_only_the_direct_parent_resets_the_password(tree):
    with pytest.raises(PermissionDenied):
        services.org_reset_password(actor=actor_of(tree.province), org=tree.district)
    account = User.objects.get(organization=tree.district, kind=User.Kind.ORG)
    old_hash = account.password
    password = services.org_reset_password(actor=actor_of(tree.city_a), org=tree.district)
    account.refresh_from_db()
    assert account.password != old_hash and account.check_password(password)
    assert account.must_change_password is True
    assert AuditLog.objects.filter(action="org.reset_password", object_id=str(tree.district.pk)).count() == 1


def test_delete_only_empty_orgs_by_direct_parent(tree):
    with pytest.raises(ValidationError) as excinfo:
        services.org_delete(actor=actor_of(tree.committee), org=tree.general)
    assert "该组织存在下级组织" in excinfo.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.org_delete(actor=actor_of(tree.committee), org=tree.branch)
    services.org_delete(actor=actor_of(tree.general), org=tree.branch)
    assert not Organization.objects.filter(pk=tree.branch.pk).exists()
    assert not User.objects.filter(username=tree.branch.code).exists()
    assert refresh(tree.general).numchild == 0
    assert AuditLog.objects.filter(action="org.delete", object_id=str(tree.branch.pk)).exists()


def test_registered_emptiness_checks_block_deletion(tree):
    from orgtree import emptiness

    def has_members(org):
        return "该组织存在团员" if org.pk == tree.branch.pk else None

    emptiness.register_emptiness_check(has_members)
    try:
        with pytest.raises(ValidationError) as excinfo:
            services.org_delete(actor=actor_of(tree.general), org=tree.branch)
        assert "该组织存在团员" in excinfo.value.messages[0]
    finally:
        emptiness._checks.remove(has_members)


# ---- 组织迁移 ------------------------------------------------------------------------------


def test_move_siblings_with_their_subtrees_in_one_update(tree):
    other = make_child(tree.district, OrgType.COMMITTEE, "另一公司")
    new_parent = make_child(tree.city_a, OrgType.LEADING, "黄埔区")
    actor = actor_of(tree.city_a)
    with CaptureQueriesContext(connection) as ctx:
        services.org_move(actor=actor, orgs=[tree.committee, other], new_parent=new_parent)
    path_updates = [q for q in ctx.captured_queries
                    if q["sql"].startswith('UPDATE "orgtree_organization" SET "path"')]
    assert len(path_updates) == 1
    assert Organization.find_problems() == ([], [], [], [], [])
    committee, general, branch = refresh(tree.committee), refresh(tree.general), refresh(tree.branch)
    assert committee.parent_path == new_parent.path and refresh(other).parent_path == new_parent.path
    assert general.parent_path == committee.path and branch.parent_path == general.path
    assert branch.depth == committee.depth + 2
    assert refresh(tree.district).numchild == 0 and refresh(new_parent).numchild == 2
    assert AuditLog.objects.filter(action="org.move").count() == 2


def test_move_tells_the_moved_orgs_and_their_new_parent(tree):
    from services.messaging.models import Message

    new_parent = make_child(tree.city_a, OrgType.LEADING, "黄埔区")
    services.org_move(actor=actor_of(tree.city_a), orgs=[tree.committee], new_parent=new_parent)
    moved = Message.objects.get(recipient_org=tree.committee)
    assert moved.title == "组织迁移通知" and "黄埔区" in moved.body and moved.sender_org == tree.city_a
    assert Message.objects.get(recipient_org=new_parent).title == "新增直属下级组织"
    assert not Message.objects.filter(recipient_org=tree.district).exists()


def test_move_refusals(tree):
    actor = actor_of(tree.city_a)
    with pytest.raises(ValidationError) as excinfo:
        services.org_move(actor=actor, orgs=[], new_parent=tree.district)
    assert excinfo.value.messages == [services.ERR_MOVE_NONE]
    with pytest.raises(ValidationError) as excinfo:
        services.org_move(actor=actor, orgs=[tree.committee], new_parent=None)
    assert excinfo.value.messages == [services.ERR_MOVE_NO_TARGET]
    with pytest.raises(ValidationError) as excinfo:
        services.org_move(actor=actor, orgs=[tree.committee, tree.general], new_parent=tree.city_a)
    assert excinfo.value.messages == [services.ERR_MOVE_SAME_PARENT]
    with pytest.raises(ValidationError) as excinfo:
        services.org_move(actor=actor, orgs=[tree.committee], new_parent=tree.general)
    assert excinfo.value.messages == [services.ERR_MOVE_CONTAINS_TARGET]
    other_branch = make_child(tree.district, OrgType.BRANCH, "区直机关")
    with pytest.raises(ValidationError) as excinfo:  # a branch takes no children
        services.org_move(actor=actor, orgs=[tree.committee], new_parent=other_branch)
    assert excinfo.value.messages == [services.ERR_BRANCH_IS_LEAF]
    with pytest.raises(ValidationError) as excinfo:
        services.org_move(actor=actor, orgs=[tree.committee], new_parent=tree.district)
    assert excinfo.value.messages == [services.ERR_MOVE_ALREADY_THERE]
    with pytest.raises(ValidationError) as excinfo:
        services.org_move(actor=actor_of(tree.district), orgs=[tree.district], new_parent=tree.committee)
    assert excinfo.value.messages in ([services.ERR_MOVE_OWN_ORG], [services.ERR_MOVE_CONTAINS_TARGET])
    # out of scope: the sibling city's subtree, either as source or target
    with pytest.raises(PermissionDenied):
        services.org_move(actor=actor, orgs=[tree.committee], new_parent=tree.b_district)
    with pytest.raises(PermissionDenied):
        services.org_move(actor=actor, orgs=[tree.b_district], new_parent=tree.district)
    assert Organization.find_problems() == ([], [], [], [], [])
    assert refresh(tree.committee).parent_path == tree.district.path
    assert not AuditLog.objects.filter(action="org.move").exists()


def test_moved_org_codes_and_accounts_are_unchanged(tree):
    new_parent = make_child(tree.city_a, OrgType.LEADING, "番禺区")
    services.org_move(actor=actor_of(tree.city_a), orgs=[tree.committee], new_parent=new_parent)
    assert refresh(tree.committee).code == tree.committee.code
    assert User.objects.get(organization=tree.committee, kind=User.Kind.ORG).username == tree.committee.code
