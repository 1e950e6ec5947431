"""Forms of 组织关系转接: they parse; the services decide (and their messages land on these fields)."""

from django import forms

from services.members.forms import MultipleFileInput

from .choices import CHINESE_PROVINCES, AppealStatus, TransferReason, TransferType
from .rules import APPEAL_MAX_CHARS, APPEAL_MIN_CHARS


class _Application(forms.Form):
    target = forms.CharField(label="转入团支部", max_length=99, required=False,
                             help_text="请准确填写转入团支部全称或组织ID")
    destination = forms.CharField(label="学习/工作去向", max_length=200, required=False,
                                  help_text="现在学习或工作的单位")
    reason = forms.TypedChoiceField(label="转出原因", coerce=int, empty_value=None, required=False,
                                    choices=[("", "请选择")] + TransferReason.choices)
    reason_other = forms.CharField(label="其他原因", max_length=300, required=False,
                                   help_text="选择“其他原因”时填写，至少10字")


class ApplyForm(_Application):
    """The member's application (reference §2.2.7)."""
    transfer_type = forms.TypedChoiceField(label="转接类型", coerce=int, choices=TransferType.choices,
                                           initial=TransferType.IN_PROVINCE, widget=forms.RadioSelect)
    out_province = forms.ChoiceField(label="转入省份", required=False,
                                     choices=[("", "请选择")] + [(p, p) for p in CHINESE_PROVINCES],
                                     help_text="转至非共青团广东省委所辖的团组织时选择")
    out_org = forms.CharField(label="转入团组织", max_length=200, required=False,
                              help_text="转至非共青团广东省委所辖的团组织时填写团组织全称")

    field_order = ["transfer_type", "target", "out_province", "out_org", "destination", "reason", "reason_other"]


class StartForm(_Application):
    """The branch applies for its members (in-province only)."""


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    reason = forms.CharField(label="申诉理由", required=False, widget=forms.Textarea(attrs={"rows": 6}),
                             help_text=f"请详细说明申诉理由（{APPEAL_MIN_CHARS}至{APPEAL_MAX_CHARS}字）")
    attachments = forms.Field(label="申诉资料", required=False, widget=MultipleFileInput(),
                              help_text="如户口本、劳动合同、三方协议：图片最多8张、PDF最多2个，每个不超过5MB")


class FilterForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=99, required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("open", "待审核"),
                                                                    ("done", "已完成"), ("returned", "已退回"),
                                                                    ("withdrawn", "已撤回")])
    date_from = forms.DateField(label="申请日期自", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AppealFilterForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=99, required=False)
    phone = forms.CharField(label="手机号码", max_length=11, required=False)
    status = forms.ChoiceField(label="申诉状态", required=False,
                               choices=[("", "全部")] + [(str(v), l) for v, l in AppealStatus.choices])
    month = forms.DateField(label="提交月份", required=False, input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                            error_messages={"invalid": "请选择正确的月份"})
