"""Forms of the dues pages: parse and show errors; the rules live in the flows."""

from datetime import date

from django import forms
from django.utils import timezone

MONTH_ERROR = "请选择正确的月份（格式：2026-01）"


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if not value:
            return None
        try:
            year, month = (int(p) for p in value.split("-")[:2])
            if not 2000 <= year <= 2100 or len(value.split("-")) != 2:
                raise ValueError
            return date(year, month, 1)
        except ValueError:
            raise forms.ValidationError(MONTH_ERROR, code="month") from None


def this_month():
    today = timezone.localdate()
    return date(today.year, today.month, 1)


class QueryForm(forms.Form):
    month = MonthField(label="月份", required=False)
    org = forms.IntegerField(label="组织", required=False, widget=forms.HiddenInput, min_value=1, max_value=2**62)

    def month_or_now(self):
        return (self.cleaned_data.get("month") if self.is_valid() else None) or this_month()


class MembersForm(QueryForm):
    PAID_CHOICES = [("", "全部"), ("0", "未交"), ("1", "已交")]
    paid = forms.ChoiceField(label="交纳状态", choices=PAID_CHOICES, required=False)
    phone = forms.RegexField(label="手机号码", regex=r"^1[0-9]{10}$", required=False, max_length=11,
                             error_messages={"invalid": "请输入11位手机号码"})


class OfflineForm(forms.Form):
    note = forms.CharField(label="备注", max_length=200, widget=forms.TextInput(attrs={"placeholder": "如：团支部书记现金收取"}),
                           error_messages={"required": "请填写备注（如收款人、收款方式）",
                                           "max_length": "备注不能超过200个字"})


class RetentionForm(forms.Form):
    retains_dues = forms.BooleanField(label="有团费留存权限", required=False)
    retention_ratio = forms.IntegerField(label="留存比例(%)", min_value=0, max_value=100,
                                         error_messages={"required": "请输入留存比例",
                                                         "invalid": "留存比例请输入0-100的整数",
                                                         "min_value": "留存比例请输入0-100的整数",
                                                         "max_value": "留存比例请输入0-100的整数"})
    sub_account_valid = forms.BooleanField(label="有有效子账户", required=False)


class TierForm(forms.Form):
    amount = forms.CharField(label="每月团费（元）", max_length=12, error_messages={"required": "请输入团费金额"})


class DonationForm(forms.Form):
    amount = forms.CharField(label="自愿多交金额（元）", max_length=12, error_messages={"required": "请输入金额"})


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel文件", error_messages={"required": "请选择要导入的Excel文件"})
