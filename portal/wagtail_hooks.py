"""The CMS shell for 智慧团建's editors: Chinese throughout, nothing about Wagtail itself.

Each English string the editors met was traced to its cause and fixed there: missing zh_Hans catalogue
entries (locale/, scripts/cms_catalogue.py), per-user language and time-zone choices (settings:
WAGTAILADMIN_PERMITTED_LANGUAGES, WAGTAIL_USER_TIME_ZONES), the "Wagtail" branding blocks
(templates/wagtailadmin/), and the menu items below that serve Wagtail's developers, not our editors.
"""

from wagtail import hooks

#: Help-menu items linking to Wagtail's English-only release notes and editor guide.
HIDDEN_HELP_ITEMS = ("whats-new-in-wagtail-", "editor-guide")
#: Reports our editors do not need: the page types are fixed by the project.
HIDDEN_REPORTS = ("page-types-usage",)


@hooks.register("construct_help_menu")
def hide_wagtail_guides(request, menu_items):
    menu_items[:] = [item for item in menu_items if not item.name.startswith(HIDDEN_HELP_ITEMS)]


@hooks.register("construct_reports_menu")
def hide_unneeded_reports(request, menu_items):
    menu_items[:] = [item for item in menu_items if item.name not in HIDDEN_REPORTS]


def _hide_page_copy():
    """Copying pages is unreachable (home_articles/middleware.py): no 复制 button in the page listing or
    header either. Wagtail offers no hook over the header buttons, so its button says it is never shown."""
    from wagtail.admin.wagtail_hooks import PageListingCopyButton

    PageListingCopyButton.is_shown = lambda self, user: False


_hide_page_copy()
