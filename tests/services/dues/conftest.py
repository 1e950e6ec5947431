from datetime import date

import pytest

from ...factories import make_member


@pytest.fixture(scope="session")
def _fake_wechatpay_server():
    from ...fake_wechatpay import FakeWeChatPay

    server = FakeWeChatPay().start()
    yield server
    server.stop()


@pytest.fixture
def fake_pay(_fake_wechatpay_server, settings):
    """WeChat Pay on, the wechatpayv3 client pointed at the fake server on 127.0.0.1."""
    _fake_wechatpay_server.reset()
    settings.WECHATPAY = _fake_wechatpay_server.settings()
    yield _fake_wechatpay_server


def bill_month(member, month):
    """Bills for one member for ``month`` through the real monthly insert (others get theirs too)."""
    from services.dues import billing

    return billing.bills_make(month=month)


JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
__all__ = ["make_member", "JAN", "FEB", "MAR"]
