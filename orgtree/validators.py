"""Field formats with the reference system's Chinese messages (reference §7)."""

import re

from django.core.validators import RegexValidator

MOBILE_RE = r"^1\d{10}$"
mobile_validator = RegexValidator(MOBILE_RE, "手机号码不正确")
phone_validator = RegexValidator(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$", "联系电话不正确")
email_validator = RegexValidator(
    r"^[A-Za-z0-9]+([._][A-Za-z0-9]+)*@[A-Za-z0-9]+([._-][A-Za-z0-9]+)*\.[A-Za-z]{2,6}$",
    "电子邮箱不正确",
)
# 企业号代称: no backslash, colon, question mark, quotes, angle brackets, bar or whitespace.
alias_validator = RegexValidator(r"^[^\\:?\"“”'<>|\s]+$", "企业代号不能含有特殊字符（\\ : ? “ ” ' < > |）和空格")


def is_mobile(value):
    return bool(re.match(MOBILE_RE, value or ""))
