from django import template

from ..feed import render_feed

register = template.Library()


@register.simple_tag(takes_context=True, name="member_feed")
def member_feed_section(context):
    """The member home's feed (精华 + 本地 of the branch's ancestors) and 其他服务 links."""
    return render_feed(context.get("request"))
