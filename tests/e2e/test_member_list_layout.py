"""我的团员 on a 1366-px screen: the 13 columns fit without wrapping names, and a branch batch-approves 报到."""

import pytest

from orgtree.rules import OrgType
from portal.models import User
from services.members.choices import RegistrationStatus
from services.members.models import Member

from ..factories import make_child, make_member, make_root
from .test_org_onboarding import _login

PASSWORD = "Banji2025ok"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_member_list_fits_1366_and_batch_approves(page, live_server):
    base = live_server.url
    college = make_child(make_child(make_root(), OrgType.COMMITTEE, "中山大学"), OrgType.COMMITTEE, "计算机学院")
    branch = make_child(college, OrgType.BRANCH, "2025级计算机科学与技术专业1班")
    pending = [make_member(branch, approved=False, name=name) for name in ("欧阳明月", "司马相如", "李四")]
    make_member(branch, name="诸葛孔明")
    account = User.objects.get(organization=branch, kind=User.Kind.ORG)
    account.set_password(PASSWORD)
    account.must_change_password = False
    account.save()

    page.set_viewport_size({"width": 1366, "height": 768})
    page.on("dialog", lambda dialog: dialog.accept())
    _login(page, base, account.username, PASSWORD)
    page.goto(f"{base}/manage/members/")
    # No page-level horizontal scroll, and every name on one line (its cell no taller than a one-line cell).
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    lines = page.evaluate("""() => Array.from(document.querySelectorAll('#member-table td.name')).map(td => {
        const range = document.createRange(); range.selectNodeContents(td);
        return [td.innerText, range.getClientRects().length]; })""")
    assert len(lines) == 4
    for name, count in lines:
        assert count == 1, f"{name} is laid out on {count} lines"
    page.screenshot(path="var/member-list-1366.png", full_page=True)
    table = page.evaluate("(() => { const r = document.querySelector('#member-table').getBoundingClientRect();"
                          " const w = document.querySelector('.table-wrap').getBoundingClientRect();"
                          " return [r.width, w.width]; })()")
    assert table[0] <= table[1] + 1, f"the table ({table[0]}px) is wider than its box ({table[1]}px) at 1366 px"

    # 全选本页待审核, then 批量审核通过: one result line per member.
    page.check("#select-all")
    with page.expect_navigation():
        page.get_by_role("button", name="批量审核通过").click()
    assert page.locator("#batch-result tbody tr").count() == 3
    assert "审核通过 3 名" in page.locator("main .card").inner_text()
    assert set(Member.objects.filter(pk__in=[m.pk for m in pending]).values_list("registration_status", flat=True)) \
        == {RegistrationStatus.APPROVED}
