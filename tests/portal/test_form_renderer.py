"""portal.form_renderer builds exactly what Django's widget templates build (issue 16)."""

import datetime
import decimal

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given, settings
from hypothesis import strategies as st

from portal import form_renderer
from portal.form_renderer import FormRenderer

DJANGO = DjangoTemplates()
FAST = FormRenderer()

TRICKY = ["", "a", '<b>"&\'', "中文 值", "0", " leading", "x" * 40]
CHOICES = [("", "全部"), (1, "报到待审核"), (2, '<i>"正常"</i>'), ("3", "团员 & 青年")]
GROUPED = [("", "请选择"), ("广东", [(1, "广州"), (2, "深圳")]), ("其他", [("x", "<外省>")])]


def both(widget, name, value, attrs=None):
    ours = widget.render(name, value, attrs, renderer=FAST)
    django = widget.render(name, value, attrs, renderer=DJANGO)
    return ours, django


def widgets():
    yield forms.TextInput()
    yield forms.TextInput(attrs={"placeholder": gettext_lazy("姓名"), "maxlength": 99, "required": True,
                                 "disabled": False, "data-x": mark_safe("<safe>")})
    yield forms.NumberInput(attrs={"step": decimal.Decimal("0.01"), "min": 0})
    yield forms.EmailInput()
    yield forms.URLInput()
    yield forms.PasswordInput(render_value=True)
    yield forms.PasswordInput()
    yield forms.HiddenInput()
    yield forms.DateInput()
    yield forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    yield forms.DateTimeInput()
    yield forms.TimeInput()
    yield forms.CheckboxInput()
    yield forms.FileInput()
    yield forms.Textarea(attrs={"rows": 3})
    yield forms.Select(choices=CHOICES)
    yield forms.Select(choices=GROUPED, attrs={"class": "wide", "autofocus": True})
    yield forms.SelectMultiple(choices=CHOICES)
    yield forms.NullBooleanSelect()


VALUES = [None, "", 0, 1, "1", "3", "x", [1, "3"], True, False, decimal.Decimal("12.50"), datetime.date(2026, 12, 4),
          datetime.datetime(2026, 12, 4, 8, 30), mark_safe("<已安全>"), *TRICKY]


def test_every_widget_and_value_renders_as_djangos_templates_do():
    compared = 0
    for widget in widgets():
        for value in VALUES:
            try:
                django = widget.render("field", value, {"id": "id_field"}, renderer=DJANGO)
            except (TypeError, ValueError, AttributeError):
                continue  # a value this widget cannot take at all
            assert widget.render("field", value, {"id": "id_field"}, renderer=FAST) == django, (widget, value)
            compared += 1
    assert compared > 200


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.none(), st.text(max_size=30), st.integers()),
       attr=st.one_of(st.booleans(), st.text(max_size=10), st.integers()),
       label=st.text(max_size=10))
def test_any_text_value_attribute_and_label(value, attr, label):
    for widget in (forms.TextInput(attrs={"data-a": attr}), forms.Textarea(attrs={"title": attr}),
                   forms.Select(choices=[(value if value is not None else "", label), ("k", label)],
                                attrs={"data-a": attr})):
        ours, django = both(widget, "名字", value)
        assert ours == django


def test_a_bound_form_with_errors_renders_the_same():
    class Filters(forms.Form):
        name = forms.CharField(label="姓名", max_length=5)
        status = forms.TypedChoiceField(label="状态", coerce=int, choices=CHOICES[1:])
        many = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")], required=False)
        note = forms.CharField(widget=forms.Textarea, required=False)
        agree = forms.BooleanField(required=False)

    data = {"name": "太长的名字啊啊", "status": "9", "many": ["2"], "note": "<第一行>\n第二行", "agree": "on"}
    ours = Filters(data, renderer=FAST)
    django = Filters(data, renderer=DJANGO)
    assert not ours.is_valid() and not django.is_valid()
    assert str(ours) == str(django)
    assert [str(b) for b in ours] == [str(b) for b in django]


def test_other_templates_are_left_to_django(monkeypatch):
    """Radio lists, checkbox lists and clearable file inputs are rendered by Django's templates."""
    seen = []
    original = DjangoTemplates.render

    def spy(self, template_name, context, request=None):
        seen.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", spy)
    for widget in (forms.RadioSelect(choices=CHOICES), forms.CheckboxSelectMultiple(choices=CHOICES),
                   forms.ClearableFileInput()):
        assert widget.render("f", None, renderer=FAST) == widget.render("f", None, renderer=DJANGO)
    assert "django/forms/widgets/radio.html" in seen
    assert seen.count("django/forms/widgets/radio.html") == 2  # both renderers went to the template


def test_the_fast_widgets_are_djangos_one_line_includes():
    """What makes the fast path valid: each input template only includes input.html."""
    for name in form_renderer.INPUT_TEMPLATES - {form_renderer.WIDGETS + "input.html"}:
        source = DJANGO.get_template(name).template.source.strip()
        assert source == '{% include "django/forms/widgets/input.html" %}', name


def test_the_project_uses_it(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
