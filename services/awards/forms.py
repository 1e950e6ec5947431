"""Forms of 奖惩: they parse; the services decide (their messages land on the fields)."""

from django import forms

from services.members.forms import MultipleFileInput

from .models import AwardKind, PunishmentKind

FILES_HELP = "必传：图片（gif、jpg、jpeg、png、bmp）最多8张、PDF最多2个，每个不超过5MB"
LEVEL_CHOICES = [("", "奖励无等次"), ("1", "奖励有等次")]


def _date(label, **kwargs):
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class AwardForm(forms.Form):
    name = forms.CharField(label="奖励名称", max_length=99, required=False)
    has_level = forms.TypedChoiceField(label="获奖名次", choices=LEVEL_CHOICES, coerce=bool, empty_value=False,
                                       required=False)
    level = forms.CharField(label="奖励等次", max_length=99, required=False, help_text="奖励有等次时填写，如“一等奖”")
    awarded_on = _date("获奖时间")
    awarding_org_name = forms.CharField(label="授奖组织", max_length=99, required=False)
    attachments = forms.Field(label="获奖证明", required=False, widget=MultipleFileInput(), help_text=FILES_HELP)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in ("name", "awarded_on", "awarding_org_name"):
            self.fields[f].required_when_shown = True


class DeclarationForm(AwardForm):
    """奖励申报 on /m/: the kind first; a 团内 补录 names its reviewing (awarding) league org."""

    kind = forms.TypedChoiceField(label="奖励类型", coerce=int, empty_value=None, required=False,
                                  choices=[("", "请选择")] + AwardKind.choices)
    reviewer = forms.TypedChoiceField(label="审核组织（团内奖励：授奖组织中的团内组织）", coerce=int,
                                      empty_value=None, required=False, choices=[("", "请选择")])
    reviewer_code = forms.CharField(label="或输入审核组织的组织ID", max_length=20, required=False,
                                    help_text="授奖组织不在上面的列表中时填写")

    field_order = ["kind", "name", "has_level", "level", "awarded_on", "awarding_org_name", "reviewer",
                   "reviewer_code", "attachments"]

    def __init__(self, *args, reviewer_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [("", "请选择")] + [(o.pk, o.full_name) for o in reviewer_choices]


class PunishmentForm(forms.Form):
    kind = forms.TypedChoiceField(label="处罚名称", coerce=int, empty_value=None, required=False,
                                  choices=[("", "请选择")] + PunishmentKind.choices)
    punished_on = _date("处罚时间")
    relieve_on = _date("解除时间", help_text="须晚于处罚时间和今天；开除团籍不填")
    description = forms.CharField(label="处罚说明", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="开除团籍须填写申请说明（至少30字），提交后由团支部的直接上级组织审核")
    attachments = forms.Field(label="处罚证明", required=False, widget=MultipleFileInput(), help_text=FILES_HELP)


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=249, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class PickSearchForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=99, required=False)
    branch = forms.CharField(label="所在团支部（组织ID或全称）", max_length=99, required=False)


class SheetForm(forms.Form):
    sheet = forms.FileField(label="团员名单（.xlsx）", required=False)
