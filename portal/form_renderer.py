"""The project's form renderer (``FORM_RENDERER``): Django's own, with its common widgets built in Python.

Every list page renders a filter form, and Django renders each widget, and each ``<option>`` of a
select, through a template of its own: a member list's eight filters took 2.4–2.6 ms, about the
whole budget of a page (issue 16: pages ≤ 2× a trivial view). :class:`FormRenderer` builds the same
markup as Django's templates for the plain ``<input>`` widgets, ``<select>`` (single and multiple,
with or without groups) and ``<textarea>``, from the same context the widget hands the template;
every other template (Wagtail's widgets, radio and checkbox lists, file inputs with a clear box) is
rendered by Django's templates as before. ``tests/test_form_renderer.py`` holds the two renderers'
output equal, widget by widget.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.safestring import SafeData, mark_safe

from .html import esc

WIDGETS = "django/forms/widgets/"
#: Widget templates whose whole body is ``{% include "django/forms/widgets/input.html" %}``.
INPUT_TEMPLATES = frozenset(WIDGETS + name + ".html" for name in (
    "input", "text", "number", "email", "url", "password", "hidden", "date", "datetime", "time", "search",
    "tel", "color", "checkbox", "file",
))
SELECT_TEMPLATE = WIDGETS + "select.html"
OPTION_TEMPLATE = WIDGETS + "select_option.html"
TEXTAREA_TEMPLATE = WIDGETS + "textarea.html"


def _text(value):
    """``{{ value|stringformat:'s' }}``: the value as text, escaped unless it is already safe."""
    return esc(value if isinstance(value, SafeData) else str(value))


def _attrs(attrs):
    """``django/forms/widgets/attrs.html``: False leaves the attribute out, True writes its bare name."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {esc(name)}" if value is True else f' {esc(name)}="{_text(value)}"')
    return "".join(parts)


def _input(widget):
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    return f'<input type="{esc(widget["type"])}" name="{esc(widget["name"])}"' \
           f'{value}{_attrs(widget["attrs"])}>'


def _select(widget):
    """``select.html`` with its options; None when an option uses another template."""
    parts = [f'<select name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{esc(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                         f'{esc(localize(option["label"]))}</option>\n')  # the included file's last newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget):
    value = widget["value"]
    body = esc(localize(value)) if value else ""
    return f'<textarea name="{esc(widget["name"])}"{_attrs(widget["attrs"])}>\n{body}</textarea>'


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if len(context) == 1 else None
        html = None
        if widget is not None:
            if template_name in INPUT_TEMPLATES:
                html = _input(widget)
            elif template_name == SELECT_TEMPLATE:
                html = _select(widget)
            elif template_name == TEXTAREA_TEMPLATE:
                html = _textarea(widget)
        if html is None:
            return super().render(template_name, context, request)
        return mark_safe(html)  # noqa: S308 - every value above is escaped
