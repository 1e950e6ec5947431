"""成长档案 as a PDF, from :func:`selectors.growth_archive` (the same dataclass the pages show): profile,
certified awards, punishments in force, grades and registrations by year, completed transfers.

``growth_archive_pdf(member)`` is what the benchmark times (``pdf_s``); the branch's yearly zip
(:mod:`.archive_jobs`) calls :func:`archive_pdf` once per member."""

from django.utils import timezone

from portal.pdf import render_pdf

from . import selectors


def archive_filename(member):
    return f"成长档案-{member.name}.pdf"


def archive_pdf(archive, *, today=None):
    """PDF bytes of a :class:`selectors.GrowthArchive` already gathered (no query of its own but the
    member's branch, which the callers select_related)."""
    member = archive.member
    return render_pdf("evaluation/print_archive.html", {
        "a": archive, "m": member, "masked_id": member.masked_id, "today": today or timezone.localdate()})


def growth_archive_pdf(member, today=None):
    """The 成长档案 PDF of one member (resolved through the asker's scope by the caller)."""
    return archive_pdf(selectors.growth_archive(member, today), today=today)


def branch_list_pdf(branch, year, rows, *, today=None):
    """The branch's list of the year's archive: one row per member in the zip (name, masked ID, grade,
    registration, counts of awards and punishments in force)."""
    return render_pdf("evaluation/print_branch_list.html", {
        "branch": branch, "year": year, "rows": rows, "today": today or timezone.localdate()})
