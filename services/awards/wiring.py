"""What the awards app registers with the shell (called from AppConfig.ready)."""

from django.urls import reverse


def connect():
    from portal.actors import ORG_ACTOR_KINDS
    from portal.registry import MenuItem, Todo, register_menu_item, register_mobile_link, register_todo
    from services.messaging.subjects import latest_ids, register_subject

    from . import punishments, selectors, services  # noqa: F401 - the flows register their audit actions
    from .models import Award, AwardStatus

    for label, url_name, order in (("奖惩录入", "awards:pick", 60), ("奖惩记录", "awards:records", 61),
                                   ("奖励审核", "awards:review_list", 62)):
        register_menu_item(MenuItem("奖惩管理", label, url_name, ORG_ACTOR_KINDS, order=order))

    register_todo(Todo(key="awards.review", label="团员奖励审核", count=selectors.to_review,
                       url=lambda actor: reverse("awards:review_list"),
                       mobile_url=lambda actor: reverse("awards:cadre_review"), order=20))

    @register_mobile_link
    def _review_on_the_cadre_end(path, query):
        if path == reverse("awards:review_list"):
            return reverse("awards:cadre_review")
        return None

    def _pending(messages):
        waiting = set(Award.objects.filter(pk__in={m.subject_id for m in messages}, status=AwardStatus.PENDING)
                      .values_list("pk", flat=True))
        latest = latest_ids(messages)  # an edited, resubmitted declaration: only its newest message waits
        return {m.pk for m in messages if m.subject_id in waiting and m.pk in latest}

    register_subject(services.SUBJECT_REVIEW, _pending)
