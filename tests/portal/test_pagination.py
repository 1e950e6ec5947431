"""Lists count only so far (portal.pagination) and the header counts unread messages only so far."""

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit import audit_recount
from portal.models import AuditLog
from portal.pagination import BoundedPaginator
from services.messaging.models import Message

from ..factories import login, make_operator

pytestmark = pytest.mark.django_db


def _log(org, n):
    AuditLog.objects.bulk_create(AuditLog(actor_kind="org_admin", actor_label="管理员", organization=org,
                                          action="orgtree.org.update", object_repr=f"对象{i}") for i in range(n))
    audit_recount(org)


def test_the_count_stops_at_max_pages_and_says_so(tree):
    _log(tree.district, 31)
    qs = AuditLog.objects.filter(organization=tree.district, object_repr__startswith="对象").order_by("-id")
    bounded = BoundedPaginator(qs, 10, max_pages=3)
    assert (bounded.count, bounded.capped, bounded.num_pages) == (30, True, 3)
    assert len(bounded.get_page(3).object_list) == 10 and bounded.get_page(99).number == 3
    exact = BoundedPaginator(qs, 10, max_pages=4)
    assert (exact.count, exact.capped, exact.num_pages) == (31, False, 4)
    assert BoundedPaginator(list(range(5)), 2, max_pages=2).count == 4  # a list is bounded the same way


def test_the_audit_log_page_shows_a_capped_total_with_a_hint(client, tree, monkeypatch):
    import portal.pagination

    monkeypatch.setattr(portal.pagination, "MAX_PAGES", 2)
    _log(tree.district, 120)  # 50 a page: 2 pages shown of 3
    make_operator(tree.district)
    login(client, tree.district)
    first = client.get(reverse("portal:audit_list")).content.decode()
    assert "第 1 / 2 页，共 100+ 条" in first and "对象119" in first
    last = client.get(reverse("portal:audit_list"), {"page": 2}).content.decode()
    assert "更早的记录请按条件查询" in last


def test_the_header_badge_counts_unread_messages_up_to_99(client, tree):
    make_operator(tree.district)
    login(client, tree.district)
    now = timezone.now()
    Message.objects.bulk_create(Message(recipient_org=tree.district, title=f"通知{i}", body="内容", created_at=now)
                                for i in range(99))
    page = client.get(reverse("portal:home")).content.decode()
    assert ">99</span>" in page and "99+" not in page
    Message.objects.create(recipient_org=tree.district, title="第100条", body="内容", created_at=now)
    page = client.get(reverse("portal:home")).content.decode()
    assert ">99+</span>" in page and ">99+</div>" in page  # the header's badge and the 未读站内信 tile


def test_the_audit_log_filters_by_action_and_date_and_shows_only_its_org(client, tree):
    """Unfiltered and by action the log is read by prepared statements, by date by the ORM: the same rows."""
    _log(tree.district, 3)
    _log(tree.city_a, 2)  # the parent's own log is not the district's
    AuditLog.objects.create(actor_kind="org_admin", actor_label="管理员", organization=tree.district,
                            action="account.password_change", object_repr="改密码")
    old = AuditLog.objects.create(actor_kind="org_admin", actor_label="管理员", organization=tree.district,
                                  action="account.password_change", object_repr="去年改密码")
    AuditLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timezone.timedelta(days=400))
    audit_recount(tree.district)
    login(client, tree.district)
    url = reverse("portal:audit_list")

    def shown(params=None):
        return [r.object_repr for r in client.get(url, params or {}).context["rows"]]

    everything = shown()
    assert everything[:1] == ["改密码"] and set(everything) >= {"对象0", "对象2", "去年改密码"}
    assert len([r for r in everything if r.startswith("对象")]) == 3
    assert shown({"action": "account.password_change"}) == ["改密码", "去年改密码"]
    since = (timezone.localdate() - timezone.timedelta(days=30)).isoformat()
    assert shown({"action": "account.password_change", "date_from": since}) == ["改密码"]


def test_every_audited_write_adds_to_its_orgs_tally_which_numbers_the_unfiltered_log(client, tree):
    """``audit_record`` keeps each org's AuditTally in the entry's transaction; the unfiltered 操作日志 is
    numbered from it, not counted (DESIGN §7)."""
    from django.db import transaction

    from portal.audit import audit_record
    from portal.models import AuditTally

    from ..factories import actor_of

    from django.db.models import Count

    district, city = actor_of(tree.district), actor_of(tree.city_a)
    before = dict(AuditTally.objects.values_list("organization", "entries"))
    for _ in range(3):
        audit_record(actor=district, action="org.update", obj=tree.district)
    audit_record(actor=city, action="org.update", obj=tree.district)
    audit_record(actor=city, action="org.update", obj=tree.district, org=tree.district)  # for another org
    with pytest.raises(RuntimeError), transaction.atomic():  # rolled back with the entry
        audit_record(actor=district, action="org.update", obj=tree.district)
        raise RuntimeError
    tallies = dict(AuditTally.objects.values_list("organization", "entries"))
    assert tallies[tree.district.pk] == before.get(tree.district.pk, 0) + 4
    assert tallies[tree.city_a.pk] == before.get(tree.city_a.pk, 0) + 1
    assert tallies == dict(AuditLog.objects.filter(organization__isnull=False).values("organization")
                           .annotate(n=Count("id")).values_list("organization", "n"))
    login(client, tree.district)
    page = client.get(reverse("portal:audit_list")).context["page"]
    assert page.paginator.count == len(page.object_list) == tallies[tree.district.pk]
    AuditTally.objects.filter(pk=tree.district.pk).update(entries=60)  # the number comes from the tally
    assert client.get(reverse("portal:audit_list")).context["page"].paginator.num_pages == 2


def test_the_migration_counts_the_tallies_of_the_entries_already_logged(tree):
    import importlib

    from django.apps import apps

    from portal.models import AuditTally

    _log(tree.district, 7)
    kept = dict(AuditTally.objects.values_list("organization", "entries"))
    AuditTally.objects.all().delete()
    importlib.import_module("portal.migrations.0006_audit_tally").backfill(apps, None)
    assert dict(AuditTally.objects.values_list("organization", "entries")) == kept
