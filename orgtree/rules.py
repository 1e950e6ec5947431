"""Structure rules of the org tree (DESIGN §5, reference §1.2 / §2.1.3).

Pure data and functions, no database access: services and forms both ask here.
"""

from django.db import models


class OrgType(models.IntegerChoices):
    LEADING = 1, "领导机关团组织"
    COMMITTEE = 2, "基层团委"
    WORKING = 3, "团工委"
    GENERAL_BRANCH = 4, "团总支"
    BRANCH = 5, "团支部"


class Industry(models.IntegerChoices):
    PARTY_GOVERNMENT = 1, "党政机关"
    PUBLIC_INSTITUTION = 2, "事业单位（不含公立学校）"
    UNIVERSITY = 3, "普通高等院校"
    VOCATIONAL = 4, "职业教育学校"
    HIGH_SCHOOL = 5, "普通高中"
    JUNIOR_HIGH = 6, "初中"
    PRIMARY = 7, "小学"
    STATE_OWNED = 8, "国有企业"
    COLLECTIVE = 9, "集体企业"
    NON_PUBLIC = 10, "非公企业"
    NEW_SOCIAL_ORG = 11, "新社会组织（不含民办学校）"
    ARMY = 12, "军队"
    ARMED_POLICE = 13, "武警"
    URBAN_COMMUNITY = 14, "城市社区"
    RURAL = 15, "农村"
    OTHER = 16, "其他"


# Which child types each type may create. A 团工委 is a dispatched body of a leading
# committee, so only a 领导机关 may create one; a 团总支 holds only 团支部s; a 团支部 is a leaf.
ALLOWED_CHILD_TYPES = {
    OrgType.LEADING: (OrgType.LEADING, OrgType.COMMITTEE, OrgType.WORKING, OrgType.GENERAL_BRANCH, OrgType.BRANCH),
    OrgType.COMMITTEE: (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH),
    OrgType.WORKING: (OrgType.COMMITTEE, OrgType.GENERAL_BRANCH, OrgType.BRANCH),
    OrgType.GENERAL_BRANCH: (OrgType.BRANCH,),
    OrgType.BRANCH: (),
}


def allowed_child_types(parent_type):
    return ALLOWED_CHILD_TYPES[OrgType(parent_type)]


def type_allowed_under(child_type, parent_type):
    return OrgType(child_type) in allowed_child_types(parent_type)


def has_headcount_fields(org_type):
    """The four 编制 numbers are recorded for every type except 团支部."""
    return OrgType(org_type) != OrgType.BRANCH


def has_industry(org_type):
    """行业类别 is not asked of 领导机关团组织."""
    return OrgType(org_type) != OrgType.LEADING


# 学校标识码 AABBCCCCCC: AA is the school-type code, BB the province code.
# Primary and secondary schools (AA 21–37) are 中小学 for the transfer-confirmation exemption.
PRIMARY_SECONDARY_SCHOOL_TYPES = frozenset(range(21, 38))
SCHOOL_TYPE_CODES = (
    frozenset(range(11, 20))  # 学前教育
    | PRIMARY_SECONDARY_SCHOOL_TYPES  # 小学、初中、高中、中等职业学校
    | frozenset(range(41, 50))  # 高等学校
    | frozenset(range(51, 60))  # 其他教育机构
)
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54]
    + [61, 62, 63, 64, 65, 71, 81, 82]
)
GUANGDONG = 44


def school_code_problem(code):
    """Return a Chinese reason why a 学校标识码 is invalid, or None when it is valid."""
    if not code:
        return "学校组织必须填写10位数字学校标识码"
    if len(code) != 10 or not code.isascii() or not code.isdigit():
        return "学校标识码必须是10位数字"
    if int(code[:2]) not in SCHOOL_TYPE_CODES:
        return "学校标识码前两位不是有效的学校类别代码"
    if int(code[2:4]) not in PROVINCE_CODES:
        return "学校标识码第3、4位不是有效的省份代码"
    return None


def is_primary_or_secondary_school(code):
    return bool(code) and not school_code_problem(code) and int(code[:2]) in PRIMARY_SECONDARY_SCHOOL_TYPES
