from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "services.transfers"
    label = "transfers"
    verbose_name = "组织关系转接"

    def ready(self):
        import re

        from django.urls import reverse

        from orgtree.capabilities import SUBORDINATES, menu_visible
        from portal.actors import ORG_ACTOR_KINDS
        from portal.registry import NOT_ON_MOBILE, MenuItem, Todo, register_menu_item, register_mobile_link, register_todo
        from services.messaging.subjects import latest_ids, register_subject

        from . import appeal, review, selectors, start  # noqa: F401 - the flows register their audit actions
        from .choices import OPEN_STATES, AppealStatus
        from .flow import SUBJECT_APPEAL, SUBJECT_REVIEW
        from .models import Appeal, Transfer

        is_branch = lambda actor: actor.org is not None and actor.org.is_branch  # noqa: E731
        for label, url_name, order, visible in (
            ("发起转接", "transfers:start", 40, is_branch),
            ("待审核", "transfers:todo", 41, None),
            ("转接记录", "transfers:list", 42, None),
            ("申诉处理", "transfers:appeals", 43, menu_visible(SUBORDINATES)),
        ):
            register_menu_item(MenuItem("组织关系转接", label, url_name, ORG_ACTOR_KINDS, order=order, visible=visible))

        register_todo(Todo(key="transfers.review", label="组织关系转接审核", count=selectors.awaiting_review,
                           url=lambda actor: reverse("transfers:todo"),
                           mobile_url=lambda actor: reverse("transfers:cadre_list"), order=20))
        # An appeal is decided with its evidence files, on the service pages (manual: PC端管理网站->申诉处理).
        register_todo(Todo(key="transfers.appeals", label="转接申诉审核", count=selectors.appeals_awaiting,
                           url=lambda actor: reverse("transfers:appeals") + "?status=0", mobile_url=NOT_ON_MOBILE,
                           order=21))

        def _transfer_pending(messages):
            open_ids = set(Transfer.objects.filter(pk__in={m.subject_id for m in messages}, status__in=OPEN_STATES)
                           .values_list("pk", flat=True))
            latest = latest_ids(messages)
            return {m.pk for m in messages if m.subject_id in open_ids and m.pk in latest}

        def _appeal_pending(messages):
            waiting = set(Appeal.objects.filter(pk__in={m.subject_id for m in messages}, status=AppealStatus.PENDING)
                          .values_list("pk", flat=True))
            return {m.pk for m in messages if m.subject_id in waiting}

        register_subject(SUBJECT_REVIEW, _transfer_pending)
        register_subject(SUBJECT_APPEAL, _appeal_pending)

        detail = re.compile(r"^/manage/transfers/(\d+)/$")

        @register_mobile_link
        def _review_on_the_cadre_end(path, query):
            """A transfer's record and the 待审核 list: the cadre end's pages (its operators review there)."""
            if match := detail.match(path):
                return reverse("transfers:cadre_detail", args=[int(match.group(1))])
            if path == reverse("transfers:todo"):
                return reverse("transfers:cadre_list")
            return None
