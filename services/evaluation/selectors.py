"""Reads of 教育评议, 年度注册 and the 成长档案, always through the actor's scope (DESIGN §4, §7)."""

from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, Q
from django.utils import timezone

from orgtree.models import Organization
from orgtree.selectors import org_get
from portal.prepared import prepared
from portal.scope import get_in_scope, scoped
from services.awards import selectors as award_selectors
from services.transfers import selectors as transfer_selectors
from services.members.models import IN_GOOD_STANDING, Member

from .models import AnnualRegistration, Evaluation, Grade, RegistrationStatus, RegistrationTally
from .services import PARTY, excellent_cap


def year_choices(today=None):
    today = today or timezone.localdate()
    return list(range(today.year, today.year - 5, -1))


def default_year(today=None):
    """Evaluation is of the year just ended until July, then of the current year."""
    today = today or timezone.localdate()
    return today.year - 1 if today.month < 7 else today.year


def grade_sheet(*, actor, year):
    """The branch's members for the grade entry page: (evaluation or None, rows, counts).

    rows: (member, grade or None, party) for every member in good standing, Party members last."""
    evaluation = Evaluation.objects.filter(branch=actor.org, year=year).first()
    grades = dict(evaluation.grades.values_list("member_id", "grade")) if evaluation else {}
    members = (Member.objects.filter(IN_GOOD_STANDING, branch=actor.org)
               .only("pk", "name", "id_number", "political_status", "branch_id").order_by("pk"))
    rows = [(m, grades.get(m.pk), m.political_status in PARTY) for m in members]
    rows.sort(key=lambda r: r[2])
    evaluated = sum(1 for r in rows if not r[2])
    counts = {label: sum(1 for r in rows if r[1] == value) for value, label in Grade.choices}
    return evaluation, rows, {"evaluated": evaluated, "cap": excellent_cap(evaluated), **counts}


def unqualified_in_scope(*, actor, year):
    """不合格 members of the subtree for follow-up (暂缓注册 or already re-evaluated)."""
    return (scoped(actor, AnnualRegistration.objects.filter(year=year, status=RegistrationStatus.DEFERRED),
                   org_field="branch")
            .select_related("member", "branch").order_by("branch__path", "member__name")[:500])


def registration_get(*, actor, pk):
    return get_in_scope(actor, AnnualRegistration.objects.select_related("member", "branch"), org_field="branch",
                        pk=pk)


@dataclass
class Progress:
    org: Organization
    tally: RegistrationTally | None
    children: list = field(default_factory=list)  # (org, tally or None)


@prepared
def _progress_rows(org_id, path, child_depth, year):
    return (Organization.objects.filter(Q(pk=org_id) | Q(path__startswith=path, depth=child_depth))
            .annotate(t=FilteredRelation("registration_tallies", condition=Q(registration_tallies__year=year)))
            .annotate(t_id=F("t__id"), t_branches=F("t__branches"), t_members=F("t__members"),
                      t_registered=F("t__registered"), t_deferred=F("t__deferred"))
            .only("pk", "full_name", "path", "depth", "org_type").order_by("path")[:501])


def registration_progress(*, actor, year, org_pk=None):
    """Progress of ``year`` for an org of the actor's subtree and its direct children: the org, its children
    and their tallies in one query, a few rows whatever the number of members below."""
    org = org_get(actor=actor, pk=org_pk) if org_pk else actor.org
    rows = _progress_rows(org.pk, org.path, org.depth + 1, year)

    def tally(o):
        if o.t_id is None:
            return None
        return RegistrationTally(pk=o.t_id, org_id=o.pk, year=year, branches=o.t_branches, members=o.t_members,
                                 registered=o.t_registered, deferred=o.t_deferred)

    own = next(o for o in rows if o.pk == org.pk)
    return Progress(org=org, tally=tally(own), children=[(o, tally(o)) for o in rows if o.pk != org.pk])


def branch_registrations(*, actor, year, branch):
    """A branch's members' rows of ``year`` (the branch's own page of the progress view)."""
    return (AnnualRegistration.objects.filter(branch=branch, year=year).select_related("member")
            .order_by("status", "member__name"))


def member_history(member):
    """The member's 年度注册 by year, newest first, with the grade."""
    return list(AnnualRegistration.objects.filter(member=member).select_related("branch").order_by("-year"))


@dataclass
class GrowthArchive:
    """成长档案 of one member: the pages and the PDF (``services.evaluation.pdf``) print the same."""

    member: Member
    awards: list
    punishments: list
    years: list  # AnnualRegistration rows, newest first
    transfers: list = field(default_factory=list)  # completed transfers (接转成功 / 已转出), oldest first


def growth_archive(member, today=None):
    return GrowthArchive(member=member, awards=list(award_selectors.member_awards(member, approved_only=True)),
                         punishments=award_selectors.punishments_in_force(member, today), years=member_history(member),
                         transfers=transfer_selectors.member_completed(member))


def member_archive_get(*, actor, pk, today=None):
    member = get_in_scope(actor, Member.objects.filter(deleted_at__isnull=True).select_related("branch"),
                          org_field="branch", pk=pk)
    return growth_archive(member, today)


def branch_archive(*, actor, branch_pk=None, today=None):
    """成长档案 of a branch: each member with their certified awards, punishments in force and the last
    years' grades and registrations (four queries for the whole branch)."""
    from services.awards.models import Award, AwardStatus, Punishment

    today = today or timezone.localdate()
    branch = get_in_scope(actor, Organization.objects.all(), pk=branch_pk) if branch_pk else actor.org
    members = list(Member.objects.filter(IN_GOOD_STANDING, branch=branch).only("pk", "name", "political_status")
                   .order_by("pk"))
    ids = [m.pk for m in members]
    awards, punishments, years = {}, {}, {}
    for a in Award.objects.filter(member_id__in=ids, status=AwardStatus.APPROVED).order_by("-awarded_on"):
        awards.setdefault(a.member_id, []).append(a)
    for p in Punishment.objects.filter(member_id__in=ids).order_by("-punished_on"):
        if p.in_force_on(today):
            punishments.setdefault(p.member_id, []).append(p)
    for r in AnnualRegistration.objects.filter(member_id__in=ids).order_by("-year"):
        years.setdefault(r.member_id, {})[r.year] = r
    shown_years = sorted({y for d in years.values() for y in d}, reverse=True)[:5]
    rows = [{"member": m, "awards": awards.get(m.pk, []), "punishments": punishments.get(m.pk, []),
             "years": [years.get(m.pk, {}).get(y) for y in shown_years]} for m in members]
    return branch, shown_years, rows

