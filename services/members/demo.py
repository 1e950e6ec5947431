"""Demo member records for ``seed_demo`` (DEBUG only; idempotent): the demo logins become approved
members, and 研发一部团支部 gets one pending 报到 to review."""

from datetime import date

from orgtree.models import Organization
from portal.actors import ORG_ADMIN, Actor
from portal.idcard import normalize

from . import registration, review
from .models import Member

DEMO = [
    # (username or None for a new pending login, openid, name, birth, id seq)
    ("demo-member-1", None, "李小明", "20010315", 11),
    ("demo-member-2", None, "陈小红", "20050620", 12),
    (None, "demo-openid-pending", "赵小新", "20030101", 13),
]


def _id(birth, seq):
    from stdnum.cn import ric

    body = f"440106{birth}{seq * 2 + 1:03d}"
    return normalize(body + ric.calc_check_digit(body + "0"))


def seed_member_demo(users):
    for username, openid, name, birth, seq in DEMO:
        user = users.get(username) if username else None
        if (user is not None and Member.objects.filter(user=user).exists()) or (
                openid and Member.objects.filter(user__wechat_identities__external_id=openid).exists()):
            continue
        branch = user.organization if user is not None else Organization.objects.get(short_name="研发一部团支部")
        joined = date(int(birth[:4]) + 14, 5, 1)
        data = {"name": name, "id_type": 1, "id_number": _id(birth, seq), "joined_league": joined, "branch": branch,
                "income": 6, "political_status": 1, "is_cadre": False, "phone": f"1380000{seq:04d}", "nation": 1,
                "education": 4, "highest_education": 4, "hukou_province": "广东省", "hukou_city": "广州市",
                "hukou_county": "天河区", "join_unit": "广州市第一中学",
                "member_number": f"{joined.year}{seq:08d}" if joined.year >= 2017 else ""}
        member = registration.member_register(data=data, user=user, openid=openid)
        if user is not None:
            actor = Actor(kind=ORG_ADMIN, org=branch, label=f"{branch.full_name} 管理员（演示数据）")
            review.member_approve(actor=actor, member=member)
