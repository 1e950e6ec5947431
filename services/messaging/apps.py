from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "services.messaging"
    label = "messaging"
    verbose_name = "站内消息"

    def ready(self):
        from portal.actors import ORG_ACTOR_KINDS
        from portal.registry import (MenuItem, Todo, register_menu_item, register_todo, set_unread_counter,
                                     unread_count)

        from . import selectors, services  # noqa: F401 - services registers its audit actions

        set_unread_counter(selectors.unread_count)
        register_menu_item(MenuItem("消息管理", "我的消息", "messaging:manage_list", ORG_ACTOR_KINDS, order=80))
        register_menu_item(MenuItem("消息管理", "群发消息", "messaging:broadcast_list", ORG_ACTOR_KINDS, order=81))
        register_todo(Todo(
            key="messaging.unread", label="未读站内信", count=unread_count,  # the header's count, once a request
            url=lambda actor: selectors.list_url_for(actor, status="unread"),
            mobile_url=lambda actor: selectors.list_url_for(actor, status="unread", end="cadre"), order=900,
        ))
