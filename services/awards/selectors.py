"""Every read of 奖惩, through the actor's scope (DESIGN §4): an org sees its subtree's members' records
and the declarations awaiting it; a member sees their own."""

from django.utils import timezone

from portal.scope import get_in_scope, scoped

from .models import Award, AwardSource, AwardStatus, Punishment

PAGE_SIZE = 50


def awards_in_scope(actor):
    return scoped(actor, Award.objects.select_related("member", "member__branch", "reviewer"),
                  org_field="member__branch")


def award_get(*, actor, pk):
    return get_in_scope(actor, Award.objects.select_related("member", "member__branch", "reviewer"),
                        org_field="member__branch", pk=pk)


def to_review(actor):
    """Declarations awaiting the actor's org (the reviewer: the branch for 团外, the awarding org for 团内)."""
    if not actor.acts_for_org:
        return Award.objects.none()
    return (Award.objects.filter(reviewer=actor.org, status=AwardStatus.PENDING)
            .select_related("member", "member__branch").order_by("-id"))


def review_get(*, actor, pk):
    """One declaration awaiting the actor's org, else 404 (the reviewer may sit outside the member's tree)."""
    from django.http import Http404

    award = to_review(actor).filter(pk=pk).first() if isinstance(pk, int) else None
    if award is None:
        raise Http404("未找到该记录")
    return award


def entered_by_org(actor, *, kind="award"):
    """奖惩记录: what the actor's org entered (newest first)."""
    if not actor.acts_for_org:
        return Award.objects.none()
    if kind == "punishment":
        return (Punishment.objects.filter(org=actor.org).select_related("member", "member__branch")
                .prefetch_related("attachments").order_by("-id"))
    return (Award.objects.filter(reviewer=actor.org, source=AwardSource.ORG)
            .select_related("member", "member__branch").prefetch_related("attachments").order_by("-id"))


def punishment_get(*, actor, pk):
    return get_in_scope(actor, Punishment.objects.select_related("member", "member__branch"),
                        org_field="member__branch", pk=pk)


def member_awards(member, *, approved_only=False):
    qs = member.awards.select_related("reviewer").prefetch_related("attachments").order_by("-awarded_on", "-id")
    return qs.filter(status=AwardStatus.APPROVED) if approved_only else qs


def punishments_in_force(member, today=None):
    """Punishments in force today: from the date until the relieve date (exclusive); 开除团籍 has none."""
    today = today or timezone.localdate()
    return [p for p in member.punishments.order_by("-punished_on") if p.in_force_on(today)]


def reviewer_choices(member):
    """The orgs a member most likely names as the awarding org of a 团内 award: the branch and its ancestors."""
    from orgtree.models import Organization

    branch = member.branch
    return list(Organization.objects.filter(path__in=[*branch.ancestor_paths, branch.path]).order_by("depth"))


def reviewer_by_code(code):
    """An org of the province by its 组织ID (the awarding org of a 团内 award may be anywhere)."""
    from orgtree.models import Organization

    code = (code or "").strip()
    return Organization.objects.filter(code=code).first() if code.isdigit() else None
