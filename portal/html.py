"""HTML built in Python where the template engine is too slow for a page's budget (issue 16).

:func:`esc` is Django's ``conditional_escape`` — what ``{{ value }}`` does to a value — without the
lazy-string wrapper that makes the framework's version several times slower per call: markup that is
already safe (``__html__``) is kept, anything else becomes text and is escaped.
"""

from html import escape as _escape

from django.utils.functional import Promise


def esc(value):
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return _escape(value)
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return value.__html__()
    return _escape(str(value))
