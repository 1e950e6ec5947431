"""Template filters of the shell every end shares."""

from django import template

from .. import shell

register = template.Library()

badge = register.filter("badge", shell.badge)
