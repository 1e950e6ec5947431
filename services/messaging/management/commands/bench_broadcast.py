"""bench_broadcast: fan one broadcast out to N members, deliveries included, against raw SQL of the same rows.

`manage.py bench_broadcast --recipients 200000` builds (or reuses) a bench org under its own
non-system root with N member logins spread over its branches, each bound to a 公众号 openid, then
in the same run, with the 公众号 channel switched on, times

- the service path: ``broadcast_send`` (validation, quota lock, audit) + the fan-out task, i.e. the
  bulk path ``notify_many``: the site messages, their WeChat delivery rows and the queuing of the
  ``deliver_batch`` tasks (recorded, not sent: the bench never reaches a broker or WeChat), and
- the baseline: two hand-written statements in one transaction, ``INSERT INTO messaging_message …
  SELECT … FROM members JOIN portal_user JOIN orgtree_organization`` and ``INSERT INTO
  messaging_delivery … SELECT … FROM messaging_message JOIN portal_wechatidentity``, writing the
  same rows into the same tables (same indexes and constraints),

alternately, ``--rounds`` times each, deleting the rows between rounds (untimed). The last line is
one line of JSON (DESIGN §7) with the ratio and its goal (≤ 2). The members are bulk-inserted
approved member records with their logins (foreign-ID numbers ``BENCH…``, so they never collide
with real ones).
"""

import json
import statistics
import time
from datetime import date

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand
from unittest import mock

from django.conf import settings
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from orgtree.models import IssuedOrgCode, Organization
from orgtree.rules import Industry, OrgType
from orgtree.services import org_create
from portal.actors import actor_for_user
from portal.bench import settle
from portal.models import User, WeChatIdentity
from services.members.choices import RegistrationStatus
from services.members.models import Member
from services.messaging import delivery, tasks
from services.messaging.models import Broadcast, BroadcastQuota, Delivery, Message
from services.messaging.services import broadcast_send

ROOT_NAME = "共青团群发基准测试省委员会"
BRANCHES = 50
BATCH = 5000
PREFIX = "bench-bc-"
OPENID_PREFIX = "bench-openid-"
RATIO_GOAL = 2.0
# The 公众号 channel on (for the delivery rows), 企业号 off; nothing is sent (tasks are only recorded).
WECHAT = {"MP_APP_ID": "bench", "MP_SECRET": "bench", "MP_NOTICE_TEMPLATE_ID": "bench",
          "WORK_CORP_ID": "", "WORK_AGENT_ID": "", "WORK_AGENT_SECRET": ""}


class Command(BaseCommand):
    help = "群发基准：一次群发写给 N 名团员（含微信推送记录）的耗时，与同表原始 INSERT … SELECT 对比，最后输出一行 JSON"

    def add_arguments(self, parser):
        parser.add_argument("--recipients", type=int, default=200_000)
        parser.add_argument("--rounds", type=int, default=3)

    def handle(self, *args, recipients, rounds, **opts):
        root, branches = self._tree()
        built = self._members(branches, recipients)
        bound = self._identities()
        if bound:
            built += f", {bound} bound to a 公众号 openid"
        self.stdout.write(f"{recipients} members under {root.short_name} ({built})")
        org_account = User.objects.get(organization=root, kind=User.Kind.ORG)
        actor = actor_for_user(org_account, "127.0.0.1")
        BroadcastQuota.objects.update_or_create(org=root, defaults={"monthly_allowance": 10_000})
        self._clean(root)

        service_s, baseline_s = [], []
        # Tasks are recorded instead of queued: the bench must never reach a broker's workers or WeChat.
        with override_settings(WECHAT={**settings.WECHAT, **WECHAT}), mock.patch.object(delivery, "enqueue") as queued:
            for round_no in range(1, rounds + 1):
                queued.reset_mock()
                seconds, count, deliveries = self._service(actor)
                assert count == recipients, f"service wrote {count} rows, expected {recipients}"
                assert deliveries == recipients, f"service wrote {deliveries} deliveries, expected {recipients}"
                batches = sum(1 for call in queued.call_args_list if call.args[0].endswith(".deliver_batch"))
                service_s.append(seconds)
                self._clean(root)
                seconds, count, deliveries = self._baseline(root)
                assert count == deliveries == recipients, f"baseline wrote {count}/{deliveries}, expected {recipients}"
                baseline_s.append(seconds)
                self._clean(root)
                self.stdout.write(f"round {round_no}: service {service_s[-1]:.2f} s ({batches} delivery batches), "
                                  f"raw INSERT … SELECT {baseline_s[-1]:.2f} s")

        service, baseline = statistics.median(service_s), statistics.median(baseline_s)
        self.stdout.write(json.dumps({
            "bench": "broadcast", "db": connection.vendor, "recipients": recipients, "rounds": rounds,
            "fan_out_s": round(service, 3), "rows_per_s": round(recipients / service),
            "baseline_s": round(baseline, 3), "baseline_rows_per_s": round(recipients / baseline),
            "ratio": round(service / baseline, 2), "ratio_goal": RATIO_GOAL, "deliveries": recipients,
            "delivery_batches": batches,
        }, ensure_ascii=False))

    # --- data ---------------------------------------------------------------------------------
    def _tree(self):
        root = Organization.get_root_nodes().filter(full_name=ROOT_NAME).first()
        if root is None:  # its own non-system root, as bench_orgtree's
            root = Organization.add_root(
                code=IssuedOrgCode.objects.create().code, org_type=OrgType.LEADING, full_name=ROOT_NAME,
                short_name="群发基准省委", phone="020-00000000", email="bench@example.com",
                admin_quota=0, admin_staffed=0, career_quota=0, career_staffed=0)
            User.objects.create(username=root.code, kind=User.Kind.ORG, organization=root,
                                password=UNUSABLE_PASSWORD_PREFIX + "bench")
        actor = actor_for_user(User.objects.get(organization=root, kind=User.Kind.ORG))
        branches = list(Organization.objects.filter(path__startswith=root.path, org_type=OrgType.BRANCH))
        if len(branches) < BRANCHES:
            committee = root.get_children().first() or org_create(actor=actor, data={
                "org_type": OrgType.COMMITTEE, "full_name": "共青团群发基准测试单位委员会", "short_name": "基准单位团委",
                "phone": "020-00000000", "email": "bench@example.com", "industry": Industry.OTHER,
                "admin_quota": 1, "admin_staffed": 1, "career_quota": 1, "career_staffed": 1})[0]
            committee_actor = actor_for_user(User.objects.get(organization=committee, kind=User.Kind.ORG))
            for n in range(len(branches), BRANCHES):
                branches.append(org_create(actor=committee_actor, data={
                    "org_type": OrgType.BRANCH, "full_name": f"共青团群发基准测试第{n + 1}支部委员会",
                    "short_name": f"基准第{n + 1}团支部", "phone": "020-00000000", "email": "bench@example.com",
                    "industry": Industry.OTHER})[0])
        return root, branches

    def _members(self, branches, wanted):
        """Approved members with their WeChat logins, bulk-inserted (the 报到 flow one by one would take hours)."""
        # logins left by an older version of this command, without member records
        User.objects.filter(username__startswith=PREFIX, member__isnull=True).delete()
        have = Member.objects.filter(user__username__startswith=PREFIX).count()
        if have > wanted:
            extra = list(User.objects.filter(username__startswith=PREFIX).order_by("-pk").values_list(
                "pk", flat=True)[: have - wanted])
            Member.objects.filter(user_id__in=extra).delete()
            User.objects.filter(pk__in=extra).delete()
            return f"trimmed from {have}"
        if have == wanted:
            return "reused"
        started = time.perf_counter()
        password = UNUSABLE_PASSWORD_PREFIX + "bench"
        for start in range(have, wanted, BATCH):
            numbers = range(start, min(start + BATCH, wanted))
            users = User.objects.bulk_create([
                User(username=f"{PREFIX}{n}", password=password, kind=User.Kind.MEMBER,
                     organization=branches[n % len(branches)], first_name=f"基准团员{n}") for n in numbers])
            if users[0].pk is None:  # a backend that does not return ids from bulk inserts
                ids = dict(User.objects.filter(username__in=[u.username for u in users]).values_list("username", "pk"))
                for user in users:
                    user.pk = ids[user.username]
            Member.objects.bulk_create([
                # Ids below the province's (seed_scale's): the bench's own second root must not sit
                # above the province at the top of the id index that 我的团员 walks newest first.
                Member(pk=-(n + 1), user=user, branch=branches[n % len(branches)], name=f"基准团员{n}",
                       id_number=f"BENCH{n:013d}", id_type=2, birth_date=date(2000, 1, 1),
                       joined_league=date(2015, 5, 1), income=1, political_status=1, phone=f"139{n:08d}",
                       nation=1, education=4, highest_education=4, hukou_province="广东省", hukou_city="广州市",
                       hukou_county="天河区", join_unit="基准单位", registration_status=RegistrationStatus.APPROVED)
                for n, user in zip(numbers, users, strict=True)])
        return f"built {wanted - have} in {time.perf_counter() - started:.1f} s"

    def _identities(self):
        """Each bench login bound to a 公众号 openid (those built by an older version had none)."""
        q = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {q(WeChatIdentity._meta.db_table)} (user_id, kind, external_id, created_at) "
                f"SELECT u.id, %s, CAST(%s AS VARCHAR(32)) || CAST(u.id AS VARCHAR(20)), %s "
                f"FROM {q(User._meta.db_table)} u WHERE u.username LIKE %s "
                f"AND NOT EXISTS (SELECT 1 FROM {q(WeChatIdentity._meta.db_table)} i "
                f"WHERE i.user_id = u.id AND i.kind = %s)",
                [WeChatIdentity.Kind.MP, OPENID_PREFIX, timezone.now(), PREFIX + "%", WeChatIdentity.Kind.MP])
            return cursor.rowcount

    def _clean(self, root):
        with transaction.atomic():
            ids = list(Broadcast.objects.filter(org=root).values_list("pk", flat=True))
            Delivery.objects.filter(message__broadcast_id__in=ids).delete()
            Message.objects.filter(broadcast_id__in=ids)._raw_delete(Message.objects.db)  # deliveries gone above
            Broadcast.objects.filter(pk__in=ids).delete()
        settle(Message, Delivery)  # each round starts from the same table state

    # --- the two contenders -------------------------------------------------------------------
    def _service(self, actor):
        started = time.perf_counter()
        broadcast = broadcast_send(actor=actor, title="基准群发", body="群发基准测试内容", to_members=True)
        count = tasks.fan_out(broadcast.pk)  # what the cluster runs after commit (idempotent)
        seconds = time.perf_counter() - started
        return seconds, count, Delivery.objects.filter(message__broadcast=broadcast).count()

    def _baseline(self, root):
        """The same rows by hand: approved, normal members of the subtree with an active login."""
        broadcast = Broadcast.objects.create(org=root, sender_label="baseline", title="基准群发", body="群发基准测试内容",
                                             to_members=True, status=Broadcast.Status.SENT)
        q = connection.ops.quote_name
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {q(Message._meta.db_table)} (level, recipient_user_id, sender_org_id, title, body, "
                f"link, broadcast_id, created_at) "
                f"SELECT %s, u.id, %s, %s, %s, '', %s, %s FROM {q(Member._meta.db_table)} m "
                f"JOIN {q(User._meta.db_table)} u ON u.id = m.user_id "
                f"JOIN {q(Organization._meta.db_table)} o ON o.id = m.branch_id "
                f"WHERE o.path LIKE %s AND m.deleted_at IS NULL AND m.registration_status IN (3, 4, 5) "
                f"AND m.league_status = 0 AND u.is_active",
                [Message.Level.ORG, root.pk, broadcast.title, broadcast.body, broadcast.pk, timezone.now(),
                 root.path + "%"],
            )
            count = cursor.rowcount
            now = timezone.now()
            cursor.execute(
                f"INSERT INTO {q(Delivery._meta.db_table)} (message_id, channel, target, status, attempts, errmsg, "
                f"created_at, updated_at) "
                f"SELECT m.id, i.kind, i.external_id, 'queued', 0, '', %s, %s FROM {q(Message._meta.db_table)} m "
                f"JOIN {q(WeChatIdentity._meta.db_table)} i ON i.user_id = m.recipient_user_id "
                f"WHERE m.broadcast_id = %s AND i.kind = %s",
                [now, now, broadcast.pk, WeChatIdentity.Kind.MP],
            )
            deliveries = cursor.rowcount
        return time.perf_counter() - started, count, deliveries

