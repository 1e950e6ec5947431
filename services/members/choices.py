"""Enumerations of the member record (reference §3.4b–§3.16), one English name per league term."""

from django.db import models


class RegistrationStatus(models.IntegerChoices):  # reference §3.13 auditStatus
    WITHDRAWN = 0, "报到被撤回"
    PENDING = 1, "报到待审核"
    RETURNED = 2, "报到被退回"
    APPROVED = 3, "审核通过"
    CHANGE_PENDING = 4, "修改资料待审核"
    CHANGE_RETURNED = 5, "修改资料被退回"


#: Statuses of a member the branch has approved (profile changes do not undo the approval).
APPROVED_STATES = (RegistrationStatus.APPROVED, RegistrationStatus.CHANGE_PENDING,
                   RegistrationStatus.CHANGE_RETURNED)


class RealNameStatus(models.IntegerChoices):  # reference §3.14 isRealName, plus 未校验 (no verifier)
    UNCHECKED = 0, "未校验"
    CHECKING = 1, "校验中"
    FAILED = 2, "校验失败"
    OFFLINE = 3, "线下验证通过"
    PASSED = 10, "通过"


class LeagueStatus(models.IntegerChoices):  # reference §3.15 disabled (1 禁用 is not used: DESIGN §5)
    NORMAL = 0, "正常"
    AGED_OUT = 2, "满28周岁离团"
    AGED_OUT_PENDING = 3, "满28周岁离团待审核"
    LAPSED = 4, "自行脱团"
    LAPSED_PENDING = 5, "自行脱团待审核"
    RESIGNED = 6, "自愿退团"
    RESIGNED_PENDING = 7, "自愿退团待审核"
    EXPELLED = 8, "开除团籍"
    EXPELLED_PENDING = 9, "开除团籍待审核"
    # Listed by the manual's 团籍管理 (退团、脱团、停止团籍、开除/除名), absent from the reference's codes.
    STOPPED = 10, "停止团籍"
    STOPPED_PENDING = 11, "停止团籍待审核"


LEFT_STATES = (LeagueStatus.AGED_OUT, LeagueStatus.LAPSED, LeagueStatus.RESIGNED, LeagueStatus.EXPELLED,
               LeagueStatus.STOPPED)
PENDING_OF = {  # final state -> its 待审核 state
    LeagueStatus.AGED_OUT: LeagueStatus.AGED_OUT_PENDING,
    LeagueStatus.LAPSED: LeagueStatus.LAPSED_PENDING,
    LeagueStatus.RESIGNED: LeagueStatus.RESIGNED_PENDING,
    LeagueStatus.EXPELLED: LeagueStatus.EXPELLED_PENDING,
    LeagueStatus.STOPPED: LeagueStatus.STOPPED_PENDING,
}


class DeletionState(models.IntegerChoices):  # reference §3.16 deletedState
    NORMAL = 1, "正常"
    PENDING = 2, "已申请删除，待审核"
    RETURNED = 3, "已申请删除，被退回"


class DeletionReason(models.IntegerChoices):  # reference §3.16 deletedReason
    WRONG_BRANCH = 1, "团员报错团支部，且被误审核通过"
    WRONG_JOIN_DATE = 2, "入团时间填错，且被审核通过"


class LapseReason(models.IntegerChoices):  # reference §3.15 retreatReasonForApplication
    NO_DUES = 1, "连续六个月不交纳团费"
    NO_MEETINGS = 2, "不过团的组织生活"
    NO_WORK = 3, "连续六个月不做团组织分配的工作"


class RequestKind(models.IntegerChoices):
    """What a branch asks its direct parent to approve: a 团籍 change (by target status) or a deletion."""

    AGED_OUT = 2, "满28周岁离团"
    LAPSED = 4, "自行脱团"
    RESIGNED = 6, "自愿退团"
    EXPELLED = 8, "开除团籍"
    STOPPED = 10, "停止团籍"
    DELETE = 20, "删除团员"


class RequestState(models.IntegerChoices):
    PENDING = 0, "待审核"
    APPROVED = 1, "已通过"
    RETURNED = 2, "已退回"


class Income(models.IntegerChoices):
    """收入档 (reference §3.8; the dues tiers of DESIGN §5 are keyed on it)."""

    BELOW_2000 = 1, "2000元以下"
    FROM_2000 = 2, "2000–5000元"
    FROM_5000 = 3, "5000–8000元"
    FROM_8000 = 4, "8000–10000元"
    ABOVE_10000 = 5, "10000元以上"
    STUDENT = 6, "学生（无收入）"
    FARMER = 7, "农民（农村户籍且无固定收入）"


class MemberPolitical(models.IntegerChoices):  # reference §3.5 MemberPoliticalOutlook
    LEAGUE_MEMBER = 1, "共青团员"
    PARTY_MEMBER = 2, "中共党员"
    PROBATIONARY = 3, "中共预备党员"


class Education(models.IntegerChoices):  # reference §3.6b highestEducation
    JUNIOR = 1, "初中"
    HIGH = 2, "高中"
    COLLEGE = 3, "大专"
    BACHELOR = 4, "本科"
    MASTER = 5, "硕士"
    DOCTOR = 6, "博士"
    VOCATIONAL = 7, "中职"
    VOCATIONAL_STUDYING = 8, "中职中专在读"
    JUNIOR_STUDYING = 9, "初中在读"
    HIGH_STUDYING = 10, "高中在读"
    COLLEGE_STUDYING = 11, "大专在读"
    BACHELOR_STUDYING = 12, "本科在读"
    MASTER_STUDYING = 13, "硕士在读"
    DOCTOR_STUDYING = 14, "博士在读"
    PRIMARY = 15, "小学"


class Occupation(models.IntegerChoices):  # reference §3.7
    STATE_OWNED = 1, "国有企业职工"
    NON_PUBLIC = 2, "非公企业职工"
    PUBLIC_SERVICE = 3, "机关事业单位职工"
    SOCIAL_ORG = 4, "社会组织员工"
    FARMER = 5, "农民"
    STUDENT = 6, "学生"
    FREELANCE = 7, "自由职业者"
    PUBLIC_UNIVERSITY = 8, "公办高校教职工"
    PUBLIC_SECONDARY = 9, "公办中学教职工"
    PUBLIC_VOCATIONAL = 10, "公办中职教职工"
    PRIVATE_UNIVERSITY = 11, "民办高校教职工"
    PRIVATE_SECONDARY = 12, "民办中学教职工"
    PRIVATE_VOCATIONAL = 13, "民办中职教职工"
    OTHER = 14, "其他"


from portal.people import BranchDuty as BranchPost  # noqa: E402,F401 - reference §3.4b 本支部团干职务


from portal.people import CadreNature  # noqa: E402,F401 - one 团干部性质 list for cadres and members
