from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .models import ArticleKind, LocalPublishingRight
from .permissions import ERR_NO_ORG, allowed_kinds, editor_org

ERR_LINK_NONE = "请填写外部链接或选择站内页面"
ERR_LINK_BOTH = "外部链接与站内页面只能二选一"


class HomeArticleForm(WagtailAdminModelForm):
    """Offers only the article types the editor's org may publish; the service checks again."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.editor_org = editor_org(for_user)
        if "kind" not in self.fields:
            return
        if self.instance.pk and self.instance.publisher_id:
            publisher = self.instance.publisher
        else:
            publisher = self.editor_org
        kinds = allowed_kinds(publisher)
        if self.instance.pk and self.instance.kind not in kinds:
            kinds.append(ArticleKind(self.instance.kind))  # keep the current value displayable
        self.fields["kind"] = forms.TypedChoiceField(
            label="类型", coerce=int, choices=[(k.value, k.label) for k in kinds],
            initial=kinds[0].value if kinds else None,
            help_text="精华由团省委发布，推送到全省团员首页；本地推送到本组织下所有团员首页",
        )

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and self.editor_org is None:
            raise forms.ValidationError(ERR_NO_ORG)
        link_url, link_page = cleaned.get("link_url"), cleaned.get("link_page")
        if not link_url and not link_page:
            raise forms.ValidationError(ERR_LINK_NONE)
        if link_url and link_page:
            raise forms.ValidationError(ERR_LINK_BOTH)
        return cleaned


class LocalPublishingRightForm(WagtailAdminModelForm):
    """Names the org by its 组织ID: a select over 100,000 orgs is no use."""

    org_code = forms.CharField(label="组织ID", max_length=16)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["org_code"].initial = self.instance.organization.code
            self.fields["org_code"].disabled = True

    def clean_org_code(self):
        from orgtree.models import Organization

        code = self.cleaned_data["org_code"].strip()
        org = Organization.objects.filter(code=code).first()
        if org is None:
            raise forms.ValidationError("未找到该组织ID对应的团组织")
        if not self.instance.pk and LocalPublishingRight.objects.filter(organization=org).exists():
            raise forms.ValidationError("该组织已有设置，请在列表中修改")
        self.instance.organization = org
        return code
