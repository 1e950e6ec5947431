from django.apps import AppConfig


class CadresConfig(AppConfig):
    name = "services.cadres"
    label = "cadres"
    verbose_name = "团干管理"

    def ready(self):
        from django.urls import reverse

        from portal.actors import CADRE, ORG_ACTOR_KINDS, OPERATOR, Actor, register_actor_resolver
        from portal.models import User
        from portal.registry import MenuItem, Todo, register_menu_item, register_todo
        from portal.registry import NOT_ON_MOBILE

        from . import imports, selectors, services  # noqa: F401 - services registers its audit actions, imports its job

        @register_actor_resolver(User.Kind.OPERATOR)
        def resolve_operator(user):
            """An operator acts with its org's powers and is shown as 组织名称 职位标签 姓名."""
            post = selectors.operator_post_for_user(user)
            if post is None:  # cancelled meanwhile: no powers left
                return None
            label = f"{post.org.full_name} {post.operator_label} {post.person.name}"
            return Actor(kind=OPERATOR, user=user, org=post.org, label=label, extra={"post": post})

        @register_actor_resolver(User.Kind.CADRE)
        def resolve_cadre(user):
            """A joined cadre works as one of their enabled posts; as operator there, with the org's powers."""
            person = selectors.person_for_login(user)
            if person is None:  # a login without a cadre record (none in production)
                return Actor(kind=CADRE, user=user, org=user.organization, label=f"团干 {user.get_full_name()}")
            post = person.working_post
            extra = {"person": person, "post": post}
            if post is None or not post.enabled:
                return Actor(kind=CADRE, user=user, label=f"团干 {person.name}", extra={"person": person})
            if post.operator_user_id:
                return Actor(kind=OPERATOR, user=user, org=post.org, extra=extra,
                             label=f"{post.org.full_name} {post.operator_label} {person.name}")
            return Actor(kind=CADRE, user=user, org=post.org, label=f"{post.org.full_name} 团干 {person.name}",
                         extra=extra)

        register_menu_item(MenuItem("团干管理", "本组织团干", "cadres:list", ORG_ACTOR_KINDS, order=20, quick=True))
        from orgtree.capabilities import SUBORDINATES, menu_visible

        register_menu_item(MenuItem("团干管理", "所有下级团干", "cadres:below", ORG_ACTOR_KINDS, order=21,
                                    visible=menu_visible(SUBORDINATES)))
        register_menu_item(MenuItem("团干管理", "批量导入团干", "cadres:import", ORG_ACTOR_KINDS, order=22))
        register_menu_item(MenuItem("系统管理", "修改企业号名称", "cadres:work_alias", ORG_ACTOR_KINDS, order=92))
        register_todo(Todo(
            key="cadres.no_operator", label="尚未设置运营者（每个组织须设置1名及以上运营者）",
            count=selectors.without_operator,
            # operators are set on the service pages; an operator on the cadre end is one already
            url=lambda actor: reverse("cadres:list"), mobile_url=NOT_ON_MOBILE, order=50,
        ))

        from django.db.models import F

        from portal.models import WeChatIdentity
        from services.messaging.delivery import register_org_recipients

        def operators_in_wechat_work(orgs):
            """(org, WeChat Work identity) of the orgs' operators: joined cadres holding its operator post."""
            return WeChatIdentity.objects.filter(
                kind=WeChatIdentity.Kind.WORK, user__is_active=True, user__cadre_person__posts__org__in=orgs,
                user__cadre_person__posts__operator_user__isnull=False,
            ).values("kind", "external_id", for_org=F("user__cadre_person__posts__org"))

        register_org_recipients(operators_in_wechat_work)

        from orgtree.emptiness import register_emptiness_check
        from orgtree.services import register_org_renamed

        from .models import CadrePerson, CadrePost

        @register_emptiness_check
        def has_cadres(org):
            return "该组织存在团干信息，请先删除团干" if CadrePost.objects.filter(org=org).exists() else None

        from django.db.models import Q

        from services.members.aging import register_exemption

        @register_exemption
        def holds_a_cadre_post():
            """满28: a member who holds a cadre post (an enabled post of the same ID number) stays."""
            return Q(id_number__in=CadrePerson.objects.filter(posts__enabled=True).values("id_number"))

        @register_org_renamed
        def refresh_directory(org):
            from . import directory

            services.refresh_search_text(CadrePost.objects.filter(org=org).select_related("person", "org"))
            directory.org_renamed(org)
