"""Shared pieces of the CMS (Wagtail admin) for the apps' snippet viewsets."""

from wagtail.admin.ui.tables import BooleanColumn


class YesNoColumn(BooleanColumn):
    """A tick or a cross titled 是/否: Wagtail's BooleanColumn titles its icon with Python's "True"/"False"."""

    cell_template_name = "cms/yes_no_cell.html"
