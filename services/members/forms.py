"""Thin forms: parse and show the reference's messages; the services re-check everything."""

from datetime import date

from django import forms

from portal.idcard import IdType
from portal.people import NATION_CHOICES, life_date_problem

from . import rules
from .choices import (
    BranchPost,
    CadreNature,
    DeletionReason,
    Education,
    Income,
    LapseReason,
    LeagueStatus,
    MemberPolitical,
    Occupation,
    RealNameStatus,
    RegistrationStatus,
    RequestKind,
)

YES_NO = [("", "请选择"), ("1", "是"), ("0", "否")]


def _blank(choices, label="请选择"):
    return [("", label)] + list(choices)


class MonthInput(forms.DateInput):
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, date):
            return f"{value:%Y-%m}"
        return value


class MonthField(forms.DateField):
    """年月 pickers: ``YYYY-MM`` → the 1st of that month."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class YesNoField(forms.TypedChoiceField):
    """是/否 as a select: "1"/"0" on the page, True/False in cleaned data and in the database."""

    def __init__(self, **kwargs):
        super().__init__(choices=YES_NO, coerce=lambda v: v == "1", empty_value=None, **kwargs)

    def prepare_value(self, value):
        # A stored answer (initial=False/True, also from the wizard's session) must select 否/是;
        # str(False) matches no option and the select would fall back to 请选择.
        if isinstance(value, bool):
            return "1" if value else "0"
        return value


def _choice(choices, **kw):
    return forms.TypedChoiceField(choices=_blank(choices), coerce=int, empty_value=None, **kw)


class StepForm(forms.Form):
    """A step of the 报到 wizard (reference §2.2.2); ``rules`` give the Chinese messages."""

    def add_problem(self, field, message):
        if message and field in self.fields and field not in self.errors:
            self.add_error(field, message)


class Step1Form(StepForm):
    name = forms.CharField(label="姓名", max_length=99)
    id_type = forms.TypedChoiceField(label="证件类型", choices=IdType.choices, coerce=int, initial=IdType.RESIDENT)
    id_number = forms.CharField(label="身份证号", max_length=30)
    birth_date = forms.DateField(label="出生日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="普通居民身份证的出生日期以身份证为准，无需填写；境外身份证请填写")
    joined_league = MonthField(label="入团年月", help_text="报到通过后不能修改，请如实填写")

    def clean(self):
        from portal import idcard

        data = super().clean()
        self.add_problem("name", rules.name_problem(data.get("name")))
        id_type = data.get("id_type") or IdType.RESIDENT
        if data.get("id_number"):
            try:
                data["id_number"] = idcard.validate_id_number(data["id_number"], id_type)
            except forms.ValidationError as exc:
                self.add_problem("id_number", exc.messages[0])
        birth = data.get("birth_date")
        if id_type == IdType.RESIDENT and "id_number" not in self.errors and data.get("id_number"):
            birth = data["birth_date"] = idcard.birth_date(data["id_number"])
        elif not birth:
            self.add_problem("birth_date", rules.ERR_BIRTH_REQUIRED)
        if data.get("joined_league"):
            self.add_problem("joined_league", rules.join_date_problem(data["joined_league"], birth, rules.today()))
        return data


class ReviewedFieldsForm(StepForm):
    income = _choice(Income.choices, label="收入", help_text="收入是计算团费的依据")
    political_status = _choice(MemberPolitical.choices, label="政治面貌")
    is_cadre = YesNoField(label="是否在本支部担任团干职务")
    cadre_post = _choice(BranchPost.choices, label="本支部团干职务", required=False)
    cadre_post_name = forms.CharField(label="职务名称", max_length=99, required=False, help_text="职务为“其他”时填写")
    cadre_since = MonthField(label="任现职年月", required=False)
    cadre_nature = _choice(CadreNature.choices, label="团干部性质", required=False)
    party_committee_member = YesNoField(label="是否同级党支部（党组织）成员", required=False)

    def __init__(self, *args, birth_date=None, registering=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date
        self.registering = registering  # 报到 (the wizard's step 2), not a later 资料修改

    def clean(self):
        data = super().clean()
        if self.registering and self.birth_date is not None and "is_cadre" in data:
            self.add_problem("is_cadre", rules.registration_age_problem(
                self.birth_date, data.get("is_cadre"), rules.today()))
        for field, message in rules.cadre_problems(data).items():
            self.add_problem(field, message)
        self.add_problem("cadre_since", life_date_problem("office", data.get("cadre_since"), birth=self.birth_date,
                                                          today=rules.today()))
        return rules.clear_cadre_fields(data)


class BasicFieldsForm(StepForm):
    phone = forms.CharField(label="手机号码", max_length=11)
    nation = _choice(NATION_CHOICES, label="民族")
    nation_name = forms.CharField(label="民族名称", max_length=99, required=False, help_text="民族为“其他”时填写")
    education = _choice(Education.choices, label="全日制学历")
    highest_education = _choice(Education.choices, label="最高学历")
    hukou_province = forms.CharField(label="户籍所在省", max_length=20)
    hukou_city = forms.CharField(label="户籍所在市", max_length=20)
    hukou_county = forms.CharField(label="户籍所在区县", max_length=20)
    join_unit = forms.CharField(label="入团时所在单位", max_length=29)

    def clean(self):
        data = super().clean()
        self.add_problem("phone", rules.mobile_problem(data.get("phone")))
        if data.get("nation") == 57 and not (data.get("nation_name") or "").strip():
            self.add_problem("nation_name", rules.ERR_NATION_NAME)
        return data


class ExtraFieldsForm(StepForm):
    member_number = forms.CharField(label="团员编号", max_length=24, required=False,
                                    help_text="2017年以后入团的团员必填：12位数字，前4位为入团年份，入团志愿书中可得到")
    occupation = _choice(Occupation.choices, label="职业", required=False)
    work_unit = forms.CharField(label="学习工作单位", max_length=49, required=False)
    email = forms.CharField(label="电子邮箱", max_length=49, required=False)
    qq = forms.CharField(label="QQ", max_length=19, required=False)
    wechat = forms.CharField(label="微信号", max_length=49, required=False)
    weibo = forms.CharField(label="微博号", max_length=49, required=False)
    joined_party = MonthField(label="入党年月", required=False)
    volunteer_since = forms.DateField(label="注册志愿者时间", required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, joined_league=None, birth_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.birth_date = birth_date
        self.joined_league = joined_league
        if rules.member_number_required(joined_league):
            # The one field of this page that is not optional for 2017+ joiners: say so and mark it.
            field = self.fields["member_number"]
            field.required = True
            field.error_messages["required"] = rules.ERR_MEMBER_NUMBER_REQUIRED
            field.help_text = "您于2017年以后入团，须填写团员编号：12位数字，前4位为入团年份，入团志愿书中可得到"
            self.title = STEP_4_TITLE_NUMBER_REQUIRED
            self.note = "团员编号为必填项，其余各项选填。"
        else:
            self.title = STEP_TITLES[4]
            self.note = "本页各项均为选填。"

    def clean(self):
        data = super().clean()
        today = rules.today()
        self.add_problem("member_number", rules.member_number_problem(data.get("member_number"), self.joined_league))
        self.add_problem("email", rules.email_problem(data.get("email")))
        self.add_problem("qq", rules.qq_problem(data.get("qq")))
        for field, kind in (("joined_party", "party"), ("volunteer_since", "volunteer")):
            self.add_problem(field, life_date_problem(kind, data.get(field), birth=self.birth_date, today=today))
        return data


STEP_FORMS = {1: Step1Form, 2: ReviewedFieldsForm, 3: BasicFieldsForm, 4: ExtraFieldsForm}
STEP_TITLES = {1: "身份信息", 2: "收入与团干职务（修改需审核）", 3: "基本资料", 4: "其他资料（选填）"}
STEP_4_TITLE_NUMBER_REQUIRED = "其他资料（团员编号必填，其余选填）"
EDIT_FORMS = {"reviewed": ReviewedFieldsForm, "basic": BasicFieldsForm, "extra": ExtraFieldsForm}


class WithdrawForm(forms.Form):
    confirm = forms.CharField(label="请输入“撤回报到”确认", max_length=10)


class BranchSearchForm(forms.Form):
    q = forms.CharField(label="团支部全称或组织ID", max_length=99, required=False)


# --- service pages --------------------------------------------------------------------------------

class MemberFilterForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=99, required=False)
    id_number = forms.CharField(label="身份证号", max_length=30, required=False)
    member_number = forms.CharField(label="团员编号", max_length=24, required=False)
    phone = forms.CharField(label="手机号码", max_length=11, required=False)
    registration_status = forms.TypedChoiceField(
        label="报到资料状态", required=False, coerce=int, empty_value=None,
        choices=_blank([c for c in RegistrationStatus.choices if c[0] not in (0, 2)], "全部"))
    real_name_status = forms.TypedChoiceField(label="实名认证状态", required=False, coerce=int, empty_value=None,
                                              choices=_blank(RealNameStatus.choices, "全部"))
    league_status = forms.TypedChoiceField(label="团籍状态", required=False, coerce=int, empty_value=None,
                                           choices=_blank(LeagueStatus.choices, "全部"))
    aged_28 = forms.BooleanField(label="年满28周岁", required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", max_length=249, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class OfflineForm(forms.Form):
    reason = forms.CharField(label="实名通过理由", max_length=249, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="已核对团员本人身份证原件，姓名与身份证号一致")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class StatusApplyForm(forms.Form):
    kind = forms.TypedChoiceField(label="团籍状态", coerce=int, empty_value=None, required=False,
                                  choices=_blank([c for c in RequestKind.choices if c[0] != RequestKind.DELETE]))
    reasons = forms.TypedMultipleChoiceField(label="申请理由（自行脱团）", coerce=int, required=False,
                                             choices=LapseReason.choices, widget=forms.CheckboxSelectMultiple)
    description = forms.CharField(label="申请说明", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="满28周岁离团以外的申请说明至少30字")
    attachments = forms.Field(label="证明材料", required=False,
                                  widget=MultipleFileInput(),
                                  help_text="必传：图片（gif、jpg、jpeg、png、bmp）最多8张、PDF最多2个，每个不超过5MB")

    # The view passes request.FILES.getlist("attachments") to the service, which validates them.


class DeletionForm(forms.Form):
    reason = forms.TypedChoiceField(label="删除理由", coerce=int, empty_value=None, required=False,
                                    choices=_blank(DeletionReason.choices))
    description = forms.CharField(label="文字说明", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="不少于10个汉字")


class RestoreForm(forms.Form):
    q = forms.CharField(label="团支部全称或组织ID", max_length=99, required=False)
