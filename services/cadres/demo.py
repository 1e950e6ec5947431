"""Demo cadre records for seed_demo (DEBUG only, idempotent)."""

from django.utils import timezone
from stdnum.cn import ric

from orgtree.models import Organization
from portal.actors import ORG_ADMIN, Actor

from portal.passwords import generate_password

from .models import CadrePerson, CadrePost, LeadingDuty, OtherDuty
from .services import cadre_create, operator_set

OPERATOR_PHONE = "13800000002"


def _id_number(body):
    return body + ric.calc_check_digit(body + "0")


def seed_cadre_demo(cadre_user):
    """王志强: 书记 of 团天河区委 and 委员 of 天河软件团委 (two working identities), joined to WeChat Work
    as the demo login ``cadre_user`` (the development login's 团干)."""
    if CadrePerson.objects.filter(user=cadre_user).exists():
        return
    district = Organization.objects.get(short_name="团天河区委")
    committee = Organization.objects.get(short_name="天河软件团委")

    def actor(org):
        return Actor(kind=ORG_ADMIN, org=org, label=f"{org.full_name} 管理员（演示数据）")

    number = _id_number("44010619920315001")
    post, _ = cadre_create(actor=actor(district), data={
        "id_type": 1, "id_number": number, "name": "王志强", "phone": "13800000001", "nation": 1,
        "political_status": 2, "education": 3, "title": "书记", "nature": 1})
    cadre_create(actor=actor(committee), data={"id_number": number, "title": "委员", "nature": 2})
    # 入驻 asked for their own 职务 in the district; the committee's is asked on switching to it
    CadrePost.objects.filter(pk=post.pk).update(duty=LeadingDuty.SECRETARY)
    person = post.person
    person.user, person.joined_work_at, person.working_post = cadre_user, timezone.now(), post
    person.save(update_fields=["user", "joined_work_at", "working_post"])


def seed_operator_demo():
    """张丽, 书记 of 研发一部团支部 and its operator: she logs in to /manage/ with her phone number and
    works with the branch's powers. Returns (name, org short name, phone, fresh password)."""
    branch = Organization.objects.get(short_name="研发一部团支部")
    actor = Actor(kind=ORG_ADMIN, org=branch, label=f"{branch.full_name} 管理员（演示数据）")
    post = CadrePost.objects.filter(org=branch, person__phone=OPERATOR_PHONE).select_related("operator_user").first()
    if post is None:
        post, _ = cadre_create(actor=actor, data={
            "id_type": 1, "id_number": _id_number("44010619950708002"), "name": "张丽", "phone": OPERATOR_PHONE,
            "nation": 1, "political_status": 3, "education": 4, "title": "书记", "nature": 2})
        CadrePost.objects.filter(pk=post.pk).update(duty=OtherDuty.SECRETARY)
    if post.operator_user_id is None:
        operator_set(actor=actor, post=post, label="书记")
        post.refresh_from_db()
    user = post.operator_user
    password = generate_password()
    user.set_password(password)
    user.must_change_password = False  # demo convenience; real operators must change it
    user.save(update_fields=["password", "must_change_password"])
    return "张丽", branch.short_name, OPERATOR_PHONE, password
