from axes.utils import reset as axes_reset
from django.db import transaction

from .audit import audit_record, register_actions
from .passwords import generate_password

register_actions({"account.password_change": "修改密码"})


@transaction.atomic
def account_change_password(*, actor, user, new_password):
    """Set a new password chosen by its owner; lifts the first-login change requirement."""
    user.set_password(new_password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    if actor.acts_for_org:
        audit_record(actor=actor, action="account.password_change", obj=actor.org)


def account_issue_one_time_password(*, user, login):
    """A new random password, shown once by the caller and changed at the next login; a reset also
    lifts a lockout on ``login`` (the name the account logs in with)."""
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    axes_reset(username=login)
    return password
