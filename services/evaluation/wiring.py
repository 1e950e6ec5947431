"""What the evaluation app registers with the shell (called from AppConfig.ready)."""


def connect():
    from portal.actors import ORG_ACTOR_KINDS
    from portal.registry import MenuItem, register_menu_item
    from services.messaging.subjects import register_subject

    from . import archive_jobs, services  # noqa: F401 - archive_jobs registers its job with the sweeper
    from .models import AnnualRegistration, RegistrationStatus

    is_branch = lambda actor: actor.org is not None and actor.org.is_branch  # noqa: E731
    for label, url_name, order, visible in (
        ("教育评议", "evaluation:grades", 63, is_branch),
        ("年度注册进度", "evaluation:progress", 64, None),
        ("评议不合格团员（暂缓注册）", "evaluation:deferred", 65, None),
        ("成长档案", "evaluation:branch_archive", 66, None),
        ("成长档案打包下载", "evaluation:archive_jobs", 67, None),
    ):
        register_menu_item(MenuItem("奖惩管理", label, url_name, ORG_ACTOR_KINDS, order=order, visible=visible))

    def _still_to_register(row_of):
        """A prompt or reminder is handled once the member has registered for that year."""
        def pending(messages):
            rows = {m.pk: row_of(m.subject_id) for m in messages}
            waiting = set(AnnualRegistration.objects.filter(pk__in=set(rows.values()))
                          .exclude(status=RegistrationStatus.REGISTERED).values_list("pk", flat=True))
            return {pk for pk, row in rows.items() if row in waiting}
        return pending

    register_subject(services.SUBJECT_PROMPT, _still_to_register(lambda subject_id: subject_id))
    register_subject(services.SUBJECT_REMIND, _still_to_register(lambda subject_id: subject_id // 100000))
