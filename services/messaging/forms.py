from django import forms

from .models import Broadcast


class BroadcastForm(forms.ModelForm):
    class Meta:
        model = Broadcast
        fields = ["title", "body", "link", "to_members", "to_cadres"]
        widgets = {
            "title": forms.TextInput(attrs={"size": 60, "maxlength": 100}),
            "body": forms.Textarea(attrs={"rows": 6, "cols": 60, "maxlength": 2000}),
            "link": forms.TextInput(attrs={"size": 60, "placeholder": "可选，如 /m/"}),
        }
        help_texts = {"link": "可选：接收人点击消息后打开的本系统页面地址"}
