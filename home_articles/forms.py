from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from .images import ERR_COVER_SCOPE, choosable_images
from .models import ArticleKind, LocalPublishingRight
from .permissions import ERR_NO_ORG, allowed_kinds, editor_org

ERR_LINK_NONE = "请填写外部链接或选择站内页面"
ERR_LINK_BOTH = "外部链接与站内页面只能二选一"


class HomeArticleForm(WagtailAdminModelForm):
    """Offers only the article types the editor's org may publish; the service checks again."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.editor_org = editor_org(for_user)
        if "cover" in self.fields and for_user is not None:
            # Only the org's own and the shared images: another org's image id is not a valid choice.
            cover = self.fields["cover"]
            cover.queryset = choosable_images(for_user)
            if self.instance.cover_id:  # keep a cover the article already has
                cover.queryset = cover.queryset | type(self.instance.cover)._default_manager.filter(
                    pk=self.instance.cover_id)
            cover.error_messages["invalid_choice"] = ERR_COVER_SCOPE
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
        if org.depth <= 1:
            from .services import ERR_RIGHT_ROOT

            raise forms.ValidationError(ERR_RIGHT_ROOT)
        if not self.instance.pk and LocalPublishingRight.objects.filter(organization=org).exists():
            raise forms.ValidationError("该组织已有设置，请在列表中修改")
        self.instance.organization = org
        return code


# --- the service pages (/manage/) ----------------------------------------------------------------

class ManageArticleForm(forms.ModelForm):
    """发布精华/本地 on the service pages: the reference's form (标题, 推文链接, 上传图片) plus the
    CMS's schedule, 置顶 and 已发布. The type is fixed by the button; an internal page link is chosen
    in the CMS only (kept if the article has one)."""

    link_url = forms.URLField(label="推文链接", max_length=500, required=False, assume_scheme="https",
                              help_text="微信文章或活动页面的网址")
    cover_file = forms.ImageField(label="上传图片", required=False,
                                  help_text="可选，jpg/png/gif，建议尺寸 370×165；不上传则保留原图片")

    class Meta:
        from .models import HomeArticle

        model = HomeArticle
        fields = ["title", "link_url", "published_at", "pinned", "live"]
        widgets = {"published_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}

    def clean_cover_file(self):
        from wagtail.images.fields import WagtailImageField

        upload = self.cleaned_data.get("cover_file")
        if upload:
            # Wagtail's own checks (format by content, size, pixel count), as in the CMS upload.
            upload = WagtailImageField(required=False).clean(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("link_url") and not self.instance.link_page_id and "link_url" not in self.errors:
            self.add_error("link_url", ERR_LINK_NONE)
        elif cleaned.get("link_url") and self.instance.link_page_id:
            self.instance.link_page = None  # a link typed here replaces the CMS page link (二选一)
        return cleaned


class LocalRightForm(forms.Form):
    org_code = forms.CharField(label="组织ID", max_length=16)
    note = forms.CharField(label="备注", max_length=100, required=False)

    def clean_org_code(self):
        from orgtree.models import Organization

        code = self.cleaned_data["org_code"].strip()
        self.org = Organization.objects.filter(code=code).first()
        if self.org is None:
            raise forms.ValidationError("未找到该组织ID对应的团组织")
        return code


class CmsAccountForm(forms.Form):
    org_code = forms.CharField(label="所属组织ID", max_length=16,
                               help_text="账号在CMS中代表该组织发布首页文章，只能管理该组织发布的文章")
    name = forms.CharField(label="姓名", max_length=30)
    username = forms.CharField(label="登录账号", max_length=30,
                               help_text="以字母开头，4至30位字母、数字或下划线；用于登录 /cms/")
    roles = forms.MultipleChoiceField(label="角色", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        from .services import CMS_ROLES, EDITOR_GROUP

        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = CMS_ROLES
        self.fields["roles"].initial = [EDITOR_GROUP]

    clean_org_code = LocalRightForm.clean_org_code
