"""Enumerations of 组织关系转接 and 申诉 (reference §3.17, §3.18), one English name per league term."""

from django.db import models


class TransferStatus(models.IntegerChoices):  # reference §3.17 auditStatus, plus our two
    WITHDRAWN = 0, "撤回"
    OUT_BRANCH = 1, "转出团支部待审核"
    OUT_PARENT = 2, "转出团支部的上级待审核"
    IN_BRANCH = 3, "转入团支部待审核"
    IN_PARENT = 4, "转入团支部的上级待审核"
    COMPLETED = 5, "接转成功"
    RETURNED_OUT_BRANCH = 6, "转出团支部退回"
    RETURNED_OUT_PARENT = 7, "转出团支部的上级退回"
    RETURNED_IN_BRANCH = 8, "转入团支部退回"
    RETURNED_IN_PARENT = 9, "转入团支部的上级退回"
    # A branch-initiated transfer waits for the member (manual tip; reference transfer_confirm.html).
    AWAITING_MEMBER = 14, "待团员确认"
    # Out of province: closed after stage ② (DESIGN §5).
    TRANSFERRED_OUT = 15, "已转出"


#: Statuses in which a reviewer (or the member, for 14) still has to act: "an open transfer".
OPEN_STATES = (TransferStatus.AWAITING_MEMBER, TransferStatus.OUT_BRANCH, TransferStatus.OUT_PARENT,
               TransferStatus.IN_BRANCH, TransferStatus.IN_PARENT)
REVIEW_STATES = (TransferStatus.OUT_BRANCH, TransferStatus.OUT_PARENT, TransferStatus.IN_BRANCH,
                 TransferStatus.IN_PARENT)
DONE_STATES = (TransferStatus.COMPLETED, TransferStatus.TRANSFERRED_OUT)
RETURNED_STATES = (TransferStatus.RETURNED_OUT_BRANCH, TransferStatus.RETURNED_OUT_PARENT,
                   TransferStatus.RETURNED_IN_BRANCH, TransferStatus.RETURNED_IN_PARENT)
#: A return by the incoming side: the member may appeal it (DESIGN §5).
APPEALABLE_STATES = (TransferStatus.RETURNED_IN_BRANCH, TransferStatus.RETURNED_IN_PARENT)
#: The withdraw rule: until the incoming branch's parent approves (reference §4.6, manual tip 2).
WITHDRAWABLE_STATES = OPEN_STATES

#: The pending status of each stage, and the status a return at that stage gives.
STAGE_OF = {TransferStatus.OUT_BRANCH: 1, TransferStatus.OUT_PARENT: 2, TransferStatus.IN_BRANCH: 3,
            TransferStatus.IN_PARENT: 4}
RETURNED_AT = {1: TransferStatus.RETURNED_OUT_BRANCH, 2: TransferStatus.RETURNED_OUT_PARENT,
               3: TransferStatus.RETURNED_IN_BRANCH, 4: TransferStatus.RETURNED_IN_PARENT}
STAGE_LABELS = {1: "转出团支部", 2: "转出团支部的上级", 3: "转入团支部", 4: "转入团支部的上级"}


def display_group(status):
    """The reference's display groups (flow_chat.js): 待审核, 已完成, 已退回, 撤回."""
    if status in OPEN_STATES:
        return "待审核"
    if status in DONE_STATES:
        return "已完成"
    if status in RETURNED_STATES:
        return "已退回"
    return "撤回"


class TransferType(models.IntegerChoices):  # reference §3.17 headfor (3 退回原籍 is not offered)
    IN_PROVINCE = 1, "转至广东省内的团支部"
    OUT_OF_PROVINCE = 2, "转至非共青团广东省委所辖的团组织"


class TransferReason(models.IntegerChoices):  # reference §3.17 cause
    WORK = 1, "就业/工作调动"
    STUDY = 2, "升学/转学"
    OTHER = 3, "其他原因"


class Applicant(models.IntegerChoices):  # reference §3.17 applicantType
    ORG = 1, "组织"
    MEMBER = 2, "团员"


class StepKind(models.IntegerChoices):
    """One line of the step log: what happened at a stage (the timeline is derived from these)."""
    APPLIED = 1, "发起申请"
    CONFIRMED = 2, "团员确认"
    APPROVED = 3, "同意"
    RETURNED = 4, "退回"
    AUTO_APPROVED = 5, "系统自动通过"
    WITHDRAWN = 6, "撤回"
    COMPLETED = 7, "接转成功"
    TRANSFERRED_OUT = 8, "已转出"
    APPEALED = 9, "提交申诉"
    APPEAL_UPHELD = 10, "申诉成功"
    APPEAL_REJECTED = 11, "申诉失败"


class AppealStatus(models.IntegerChoices):  # reference §3.18 appealStatus
    PENDING = 0, "申诉待审核"
    UPHELD = 1, "申诉成功"
    REJECTED = 2, "申诉失败"


CHINESE_PROVINCES = (
    "北京市", "天津市", "河北省", "山西省", "内蒙古自治区", "辽宁省", "吉林省", "黑龙江省", "上海市", "江苏省", "浙江省",
    "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "广西壮族自治区", "海南省", "重庆市",
    "四川省", "贵州省", "云南省", "西藏自治区", "陕西省", "甘肃省", "青海省", "宁夏回族自治区", "新疆维吾尔自治区",
    "香港特别行政区", "澳门特别行政区", "台湾省",
)
