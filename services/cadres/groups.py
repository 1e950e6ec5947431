"""专项工作群 (reference §2.4, manual 即时通讯): group chats made in WeChat Work through ``appchat``.

Point-to-point chat stays inside WeChat Work itself; here a cadre picks colleagues across levels
from the directory, the chat is created in WeChat Work, and we keep its members so the group can
be listed and messaged from the cadre end.
"""

import logging
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from wechatpy.exceptions import WeChatException

from portal import wechat
from portal.models import WeChatIdentity

from .models import CadrePerson, WorkingGroup

logger = logging.getLogger(__name__)

ERR_NAME = "请输入群名称（不超过50字）"
ERR_TOO_FEW = "请至少选择1名其他团干"
ERR_TOO_MANY = "群成员不能超过500人"
ERR_NOT_JOINED = "以下团干尚未入驻企业号，不能拉入群聊：{names}"
ERR_OFF = "企业号尚未开通，暂不能创建工作群"
ERR_WECHAT = "企业微信暂时无法完成操作，请稍后再试（错误码 {code}）"
ERR_TEXT = "请输入消息内容（不超过600字）"


def _userids(people):
    ids = dict(WeChatIdentity.objects.filter(kind=WeChatIdentity.Kind.WORK, user__cadre_person__in=people,
                                             user__is_active=True).values_list("user__cadre_person", "external_id"))
    missing = [p.name for p in people if p.pk not in ids]
    if missing:
        raise ValidationError(ERR_NOT_JOINED.format(names="、".join(missing)))
    return [ids[p.pk] for p in people]


def _call(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except (WeChatException, OSError) as exc:
        logger.warning("WeChat Work appchat failed: %s", exc)
        raise ValidationError(ERR_WECHAT.format(code=getattr(exc, "errcode", None) or "网络")) from None


@transaction.atomic
def group_create(*, owner, name, member_ids):
    """Create the chat in WeChat Work, then record it. ``owner`` is the creating cadre's person."""
    name = (name or "").strip()
    if not name or len(name) > 50:
        raise ValidationError({"name": ERR_NAME})
    others = list(CadrePerson.objects.filter(pk__in=member_ids, posts__enabled=True).exclude(pk=owner.pk).distinct())
    if not others:
        raise ValidationError(ERR_TOO_FEW)
    if len(others) + 1 > 500:
        raise ValidationError(ERR_TOO_MANY)
    if not wechat.work_enabled():
        raise ValidationError(ERR_OFF)
    people = [owner, *others]
    userids = _userids(people)
    chat_id = secrets.token_hex(16)  # ours, so a retry cannot make a second chat
    _call(wechat.work_client().appchat.create, chat_id=chat_id, name=name, owner=userids[0], user_list=userids)
    group = WorkingGroup.objects.create(name=name, chat_id=chat_id, owner=owner)
    group.members.set(people)
    return group


def group_send(*, sender, group, text):
    """A text message to the group's chat, sent by the app on behalf of a member of the group."""
    text = (text or "").strip()
    if not text or len(text) > 600:
        raise ValidationError({"text": ERR_TEXT})
    if not wechat.work_enabled():
        raise ValidationError(ERR_OFF)
    _call(wechat.work_client().appchat.send_text, group.chat_id, f"{sender.name}：{text}")

