"""Demo people for the mobile ends (called by ``seed_demo``; idempotent; DEBUG only).

Until the members and cadres apps bring real records, a demo member and a demo cadre are plain
logins with a WeChat identity, so the development login at ``/m/dev-login/`` and
``/m/cadre/dev-login/`` has someone to be. A few site messages give every end something to read.
"""

from orgtree.models import Organization
from services.messaging.models import Message
from services.messaging.services import notify

from .models import User, WeChatIdentity

PEOPLE = [
    # (username, kind, name, org short name, identity kind, openid/userid)
    ("demo-member-1", User.Kind.MEMBER, "李小明", "研发一部团支部", WeChatIdentity.Kind.MP, "demo-openid-li"),
    ("demo-member-2", User.Kind.MEMBER, "陈小红", "2023级计科1班团支部", WeChatIdentity.Kind.MP, "demo-openid-chen"),
    ("demo-cadre-1", User.Kind.CADRE, "王志强", "团天河区委", WeChatIdentity.Kind.WORK, "demo-userid-wang"),
]


def seed_wechat_demo():
    """Returns the lines seed_demo prints about the people it made."""
    people = {}
    for username, kind, name, org_name, channel, external_id in PEOPLE:
        user, created = User.objects.get_or_create(username=username, defaults={
            "kind": kind, "first_name": name, "organization": Organization.objects.get(short_name=org_name)})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        WeChatIdentity.objects.get_or_create(kind=channel, external_id=external_id, defaults={"user": user})
        people[username] = user
    from services.cadres.demo import seed_cadre_demo
    from services.members.demo import seed_member_demo

    seed_member_demo(people)
    from services.dues.demo import seed_dues_demo

    seed_dues_demo()
    seed_cadre_demo(people["demo-cadre-1"])
    from services.statistics.refresh import refresh

    refresh(kind="full")  # 数据统计 shows the demo province at once (the schedule keeps it current after)
    if not Message.objects.filter(title="欢迎使用智慧团建").exists():
        branch = Organization.objects.get(short_name="研发一部团支部")
        notify(recipient=people["demo-member-1"], title="欢迎使用智慧团建", level=Message.Level.SYSTEM,
               body="您可以在“我的消息”中查看组织发给您的通知。", link="/m/")
        notify(recipient=people["demo-cadre-1"], title="欢迎使用智慧团建", level=Message.Level.SYSTEM,
               body="请在企业号中查看本组织及下级组织的团干、团员信息。")
        notify(recipient=branch, title="欢迎使用智慧团建", level=Message.Level.SYSTEM,
               body="请及时处理首页“待办事项”中的审核事项。", link="/manage/")
    from services.cadres.demo import seed_operator_demo

    name, org_name, phone, password = seed_operator_demo()
    return [
        "运营者（登录 /manage/，账号为手机号，与组织账号权限相同）：",
        f"  {name}（{org_name} 书记）  账号 {phone}  密码 {password}",
        "开发登录（模拟微信授权）：团员 /m/dev-login/ ，团干 /m/cadre/dev-login/ （选择演示身份即可；"
        "新团干以组织为其录入的手机号入驻）",
    ]
