from datetime import date

from django import forms
from django.forms.models import fields_for_model

from portal import idcard
from portal.people import ERR_FUTURE, cadre_age_problem

from .models import CadrePerson, CadrePost
from .services import PERSON_FIELDS, POST_FIELDS

MONTH_FIELDS = ("joined_league", "took_office", "joined_party", "volunteer_since")
ERR_REQUIRED = "请填写此项"
ENTRY_RANGE_HELP = ("录入范围：团的领导机关、基层团委、团工委录入本委员会委员及机构工作人员；"
                    "团总支录入本总支部委员；团支部仅需录入本支部书记。团干与团员信息各自独立。")
PERSON_REQUIRED = ("name", "phone", "nation", "political_status", "education")


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m")


class CadreForm(forms.Form):
    """新增/编辑团干: the person's base information and this org's post data on one page.

    On 新增, a person who is already a cadre of another org keeps their base information: only the
    ID number and the post data are needed, so the base fields are required only for a new person.
    """

    def __init__(self, *args, person_locked=False, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        fields = {**fields_for_model(CadrePerson, PERSON_FIELDS), **fields_for_model(CadrePost, POST_FIELDS)}
        for name, field in fields.items():
            if name in MONTH_FIELDS:
                field = forms.DateField(label=field.label, required=False, widget=MonthInput,
                                        input_formats=["%Y-%m", "%Y-%m-%d"])
            if name in PERSON_FIELDS:
                field.required = name in ("id_type", "id_number")
                if person_locked or (not creating and name in ("id_type", "id_number")):
                    field.disabled = True
                elif name in PERSON_REQUIRED:
                    # required of a new person (checked in clean) and by the model on edit: show the *
                    field.required_when_shown = True
            self.fields[name] = field
        self.fields["title"].help_text = "如：书记、副书记、组织委员"
        self.fields["id_number"].help_text = "已是其他组织团干的，只需填写身份证号码和本组织职务信息"

    def clean(self):
        data = super().clean()
        for name in MONTH_FIELDS:
            if data.get(name) and data[name] > date.today():
                self.add_error(name, ERR_FUTURE)
        if self.creating and data.get("id_number") and not self.person_exists(data):
            self.check_age(data)
            for name in PERSON_REQUIRED:
                if data.get(name) in (None, ""):
                    self.add_error(name, ERR_REQUIRED)
        return data

    def check_age(self, data):
        """The cadre age rule, on the ID number that carries the birth date (the service checks it too)."""
        if int(data.get("id_type") or idcard.IdType.RESIDENT) != idcard.IdType.RESIDENT:
            return
        try:
            number = idcard.validate_id_number(data["id_number"])
        except forms.ValidationError:
            return  # the service tells what is wrong with the number
        if problem := cadre_age_problem(idcard.birth_date(number), date.today()):
            self.add_error("id_number", problem)

    @staticmethod
    def person_exists(data):
        return CadrePerson.objects.filter(id_number=idcard.normalize(data.get("id_number"))).exists()


class CadreFilterForm(forms.Form):
    name = forms.CharField(label="姓名", required=False)
    id_number = forms.CharField(label="身份证号", required=False)
    phone = forms.CharField(label="手机号码", required=False)
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部"), ("enabled", "启用"), ("disabled", "禁用")])


class OperatorForm(forms.Form):
    label = forms.CharField(label="职位标签", max_length=99, help_text="如：组织委员、团委干事；运营者的操作将显示为“组织名称 职位标签 姓名”")


class ImportForm(forms.Form):
    file = forms.FileField(label="团干信息表（.xlsx）")


class AliasForm(forms.Form):
    alias = forms.CharField(label="企业号代称", max_length=16, help_text=(
        "不超过16个字，不能含有特殊字符和空格，且不能与同一上级组织下的其他组织重复。命名规则：领导机关为“团+行政区划+委”；"
        "基层为“单位/区划+团委/团总支/团支部”；班级团支部为“（专业）入学年份+班号+团支部”；团工委为“单位名称+团工委”。"))


class DutyForm(forms.Form):
    """填写职务 on entering WeChat Work (reference §2.3 cadre_position); the rules are the service's."""

    duty = forms.TypedChoiceField(label="团干职务", coerce=int)
    duty_name = forms.CharField(label="职务名称", max_length=99, required=False)

    def __init__(self, *args, org, **kwargs):
        from .models import duty_choices
        from .services import duty_name_needed

        super().__init__(*args, **kwargs)
        choices = duty_choices(org)
        self.fields["duty"].choices = [("", "请选择")] + list(choices.choices)
        self.named_values = [v for v in choices.values if duty_name_needed(org, v)]
        self.fields["duty_name"].help_text = "领导机关团组织的团干：职务为书记、副书记以外的，请填写职务名称（如“组织部部长”）" \
            if len(self.named_values) > 1 else "职务选择“其他”时请填写职务名称"
