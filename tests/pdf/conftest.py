import pytest
import time_machine

from ..factories import actor_of, png_upload


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-03-10 10:00 +0800", tick=False):
        yield


def give_awards(org, member, names, *, awarded_on):
    """团内 awards the org enters (certified on entry)."""
    from services.awards import services as award_flow

    return [award_flow.awards_enter(actor=actor_of(org), member_ids=[member.pk], files=[png_upload()], data={
        "name": name, "has_level": False, "level": "", "awarded_on": awarded_on,
        "awarding_org_name": "共青团天河区委员会"})[0] for name in names]


def complete_transfer(member, target):
    """A transfer of ``member`` to ``target`` applied by the member and approved at every stage."""
    from services.transfers import review, start
    from services.transfers.choices import REVIEW_STATES

    transfer = start.transfer_apply(member=member, data={
        "transfer_type": 1, "target": target.code, "destination": "广州某科技有限公司", "reason": 1})
    while transfer.status in REVIEW_STATES:
        transfer = review.transfer_approve(actor=actor_of(transfer.reviewer), transfer=transfer)
    return transfer
