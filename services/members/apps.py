from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "services.members"
    label = "members"
    verbose_name = "团员管理"

    def ready(self):
        from django.urls import reverse

        from orgtree.capabilities import SUBORDINATES, menu_visible
        from orgtree.emptiness import register_emptiness_check
        from portal.actors import MEMBER, ORG_ACTOR_KINDS, Actor, register_actor_resolver
        from portal.models import User
        from portal.registry import MenuItem, Todo, register_menu_item, register_todo
        from portal.registry import NOT_ON_MOBILE
        from services.messaging.audiences import MEMBERS, register_audience

        from . import profile, registration, review, selectors  # noqa: F401 - the flows register their audit actions
        from . import status as _status  # noqa: F401
        from .choices import APPROVED_STATES, LeagueStatus
        from .models import Member

        @register_actor_resolver(User.Kind.MEMBER)
        def _resolve_member(user):
            member = selectors.member_of_user(user)
            org = member.branch if member else user.organization
            return Actor(kind=MEMBER, user=user, org=org, label=f"团员 {user.get_full_name()}".strip(),
                         extra={"member": member})

        def _audience(org):
            ids = Member.objects.filter(branch__path__startswith=org.path, deleted_at__isnull=True,
                                        registration_status__in=APPROVED_STATES, league_status=LeagueStatus.NORMAL,
                                        user__isnull=False).values("user_id")
            return User.objects.filter(pk__in=ids, is_active=True)

        register_audience(MEMBERS, _audience)

        from services.messaging.subjects import latest_ids, register_subject

        from .choices import RegistrationStatus, RequestState
        from .models import MemberRequest

        def _awaiting(status):
            """The messages about a member whose 报到 / change is still awaiting review — the latest such
            message only (a returned and resubmitted request's old message is handled)."""
            def pending(messages):
                waiting = set(Member.objects.filter(pk__in={m.subject_id for m in messages}, registration_status=status,
                                                    deleted_at__isnull=True).values_list("pk", flat=True))
                latest = latest_ids(messages)
                return {m.pk for m in messages if m.subject_id in waiting and m.pk in latest}
            return pending

        def _request_pending(messages):
            waiting = set(MemberRequest.objects.filter(pk__in={m.subject_id for m in messages},
                                                       state=RequestState.PENDING).values_list("pk", flat=True))
            return {m.pk for m in messages if m.subject_id in waiting}

        register_subject(registration.SUBJECT_REGISTRATION, _awaiting(RegistrationStatus.PENDING))
        register_subject(registration.SUBJECT_CHANGE, _awaiting(RegistrationStatus.CHANGE_PENDING))
        register_subject(registration.SUBJECT_REQUEST, _request_pending)

        @register_emptiness_check
        def _has_members(org):
            live = Member.objects.filter(branch=org, deleted_at__isnull=True).exclude(registration_status=0)
            return "该组织存在团员" if live.exists() else None

        is_branch = lambda actor: actor.org is not None and actor.org.is_branch  # noqa: E731
        for label, url_name, order, visible in (
            ("我的团员", "members:manage_list", 30, None),
            ("团员报到二维码", "members:qr", 31, is_branch),
            ("团籍变更/删除审核", "members:request_list", 32, menu_visible(SUBORDINATES)),
            ("满28周岁已离团", "members:aged_out", 33, None),
            ("已脱/退团、停止团籍及开除团籍", "members:left", 34, None),
            ("满28周岁待离团（欠交团费）", "members:held_back", 35, None),
        ):
            register_menu_item(MenuItem("团员管理", label, url_name, ORG_ACTOR_KINDS, order=order,
                                        quick=order == 30, visible=visible))
        from portal.registry import register_mobile_link

        @register_mobile_link
        def _review_on_the_cadre_end(path, query):
            """报到 and 资料修改 awaiting a branch: the cadre end's 团员审核 (its operators review there)."""
            if path == reverse("members:manage_list") and query.get("registration_status") in ("1", "4"):
                return reverse("members:cadre_review") + f"?status={query['registration_status']}"
            return None

        register_todo(Todo(key="members.review", label="团员报到审核", count=selectors.pending_review,
                           url=lambda actor: reverse("members:manage_list") + "?registration_status=1",
                           mobile_url=lambda actor: reverse("members:cadre_review"), order=10))
        # 团籍 changes need the application's evidence and are reviewed on the service pages only.
        register_todo(Todo(key="members.requests", label="团籍变更/删除审核", count=selectors.requests_to_review,
                           url=lambda actor: reverse("members:request_list"), mobile_url=NOT_ON_MOBILE, order=11))
