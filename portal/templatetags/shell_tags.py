"""Template filters of the shell every end shares."""

from django import template

from .. import shell

register = template.Library()

badge = register.filter("badge", shell.badge)


@register.simple_tag
def filter_fields(form):
    """A list's filter form fields, each ``<div><label>…</label>widget errors</div>`` (portal.shell)."""
    return shell.filter_fields_html(form)


@register.simple_tag(takes_context=True)
def pagination(context, page):
    """The pager of ``manage/_pagination.html`` (portal.shell.pagination_html)."""
    return shell.pagination_html(page, context["request"].GET)
