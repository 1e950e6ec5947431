from django import forms
from django.forms.models import fields_for_model, model_to_dict

from .models import Organization
from .rules import Industry, OrgType, allowed_child_types
from .services import EDITABLE_FIELDS


class OrganizationForm(forms.Form):
    """Input for a child org. Type-dependent rules live in the service; the page hides
    the fields a type does not have (团支部: no 编制; 领导机关: no 行业类别).

    A plain form over the model's fields, not a ModelForm: a ModelForm validates the model's
    constraints before the service runs, so a bad 学校标识码 came back as the constraint's name at
    the top of the form instead of the service's reason on the field. The service validates and
    its ValidationError is shown on the fields (``portal.forms.add_service_errors``).
    """

    #: Fields the service requires whenever the page shows them (the page shows them by org type).
    REQUIRED_WHEN_SHOWN = ("industry", "admin_quota", "admin_staffed", "career_quota", "career_staffed",
                           "school_code", "graduation_year")

    def __init__(self, *args, parent, instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault("initial", model_to_dict(instance, fields=EDITABLE_FIELDS))
        super().__init__(*args, **kwargs)
        self.instance = instance
        self.fields.update(fields_for_model(
            Organization, EDITABLE_FIELDS,
            widgets={"graduation_year": forms.NumberInput(attrs={"min": 1950, "max": 2100})},
            help_texts={
                "full_name": "中国共产主义青年团 + 地域 + 单位全称 + 委员会/总支部委员会/支部委员会",
                "school_code": "教育部门统一编制的10位数字学校标识码",
                "graduation_year": "学校团支部必填",
            },
        ))
        allowed = allowed_child_types(parent.org_type)
        self.fields["org_type"].choices = [("", "请选择")] + [(t.value, t.label) for t in allowed]
        for name in ["full_name", "short_name", "phone", "email"]:
            self.fields[name].error_messages["required"] = f"请填写{self.fields[name].label}"
        # Required-when-shown fields are checked by the service with the org's type; the page marks them.
        for name in self.REQUIRED_WHEN_SHOWN:
            self.fields[name].required = False
            self.fields[name].required_when_shown = True
        self.fields["org_type"].error_messages["required"] = "请选择组织类型"
        self.fields["industry"].choices = [("", "请选择")] + list(Industry.choices)


class OrgFilterForm(forms.Form):
    org_type = forms.TypedChoiceField(label="组织类型", required=False, coerce=int, empty_value=None,
                                      choices=[("", "全部")] + list(OrgType.choices))
    name = forms.CharField(label="组织名称", required=False, max_length=99)


class MoveForm(forms.Form):
    source_parent = forms.CharField(label="待迁出组织的上级组织ID", max_length=16)
    orgs = forms.MultipleChoiceField(label="待迁出组织", required=False, widget=forms.CheckboxSelectMultiple)
    target = forms.CharField(label="迁入组织ID", max_length=16, required=False)
    confirm = forms.BooleanField(label="我已知晓：组织迁移将影响被迁移组织及其所有下级的业务数据归属", required=False)


class PhoneChangeForm(forms.Form):
    phone = forms.CharField(label="新团组织联系电话", max_length=20, help_text="手机号码或固定电话（如 020-87195512）",
                            error_messages={"required": "请输入新团组织联系电话"})
    phone_confirm = forms.CharField(label="确认新团组织联系电话", max_length=20,
                                    error_messages={"required": "请输入确认新团组织联系电话"})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("phone") and cleaned.get("phone_confirm") and cleaned["phone"] != cleaned["phone_confirm"]:
            self.add_error("phone_confirm", "新团组织联系电话与确认新团组织联系电话不一致")
        return cleaned
