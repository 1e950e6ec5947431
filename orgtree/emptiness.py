""""Is this org empty?" — an org may be deleted only when no check objects.

Later apps (members, cadres …) register a check returning a Chinese reason, or None.
"""

_checks = []


def register_emptiness_check(func):
    if func not in _checks:
        _checks.append(func)
    return func


def reasons_not_empty(org):
    return [reason for check in _checks if (reason := check(org))]


@register_emptiness_check
def _has_children(org):
    return "该组织存在下级组织" if org.numchild else None
