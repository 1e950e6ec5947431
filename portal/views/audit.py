from django import forms
from django.shortcuts import render
from django.utils.timezone import localtime

from ..audit import action_choices, action_label
from ..decorators import org_actor_required
from ..html import esc
from ..tables import Row, pk_url, tbody
from ..selectors import audit_entry, audit_page


class AuditFilterForm(forms.Form):
    date_from = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.ChoiceField(label="操作项目", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + action_choices()


@org_actor_required
def audit_list(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = audit_page(actor=request.actor, number=request.GET.get("page"), **{k: v for k, v in filters.items() if v})
    detail = pk_url("portal:audit_detail")
    rows = [Row(pk=e["pk"], url=detail(e["pk"]), actor_label=e["actor_label"], action_label=action_label(e["action"]),
                object_repr=e["object_repr"], created_at=localtime(e["created_at"]).strftime("%Y-%m-%d %H:%M:%S"),
                ip=e["ip"] or "") for e in page]
    return render(request, "manage/audit_list.html", {
        "form": form, "page": page, "rows": rows, "body": tbody(rows, _row_html, empty="暂无记录", colspan=6)})


def _row_html(e):
    return (f'<tr><td>{esc(e["actor_label"])}</td><td>{esc(e["action_label"])}</td><td>{esc(e["object_repr"])}</td>'
            f'<td>{e["created_at"]}</td><td>{esc(e["ip"])}</td><td><a href="{esc(e["url"])}">查看</a></td></tr>')


@org_actor_required
def audit_detail(request, pk):
    entry = audit_entry(actor=request.actor, pk=pk)
    entry.action_label = action_label(entry.action)
    before, after = entry.before or {}, entry.after or {}
    rows = [(key, before.get(key, ""), after.get(key, "")) for key in dict.fromkeys([*before, *after])]
    return render(request, "manage/audit_detail.html", {"entry": entry, "rows": rows})
