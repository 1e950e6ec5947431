"""The validation rules of reference §7 and DESIGN §5, as pure functions returning Chinese messages.

Forms show them next to the field; services run them again (the service is the authority).
"""

import re

from orgtree.validators import is_mobile
from portal.idcard import IdType
from portal.people import ERR_FUTURE, ERR_NAME_DIGITS, full_years, name_has_digits

from .models import MEMBER_NUMBER_FROM

ERR_REQUIRED = "请填写此项"
ERR_NAME_DIGIT = ERR_NAME_DIGITS
ERR_JOIN_TOO_OLD = "入团年月只能选择最近50年"
ERR_JOIN_BEFORE_BIRTH = "入团年月不能早于出生日期"
ERR_JOIN_AGE = "2017年以后入团的，入团时须年满13周岁（按月计算），请核对入团年月"
ERR_JOIN_OVER_28 = "入团时不能超过28周岁（按月计算），请核对入团年月"
JOIN_MIN_AGE = 13  # full years by month, for joins from 2017 (the reference system's rule)
JOIN_MAX_AGE = 28  # never over 28 at the join month: membership ends at 28
ERR_REGISTER_OVER_28 = ("您已年满28周岁。按团章规定，年满28周岁且未在团内担任职务的团员不再保留团籍，无需报到；"
                       "如在团内担任职务，请选择“是”并填写职务信息")
ERR_MEMBER_NUMBER_REQUIRED = "入团时间为2017年后的团员，须填写团员编号（12位数字，入团志愿书中可得到）"
ERR_MEMBER_NUMBER_FORMAT = "团员编号应为12位数字，前4位为入团年份"
ERR_MEMBER_NUMBER_LENGTH = "团员编号不能超过24位"
ERR_MOBILE = "手机号码不正确"
ERR_EMAIL = "电子邮箱不正确"
ERR_QQ = "QQ号码不正确"
ERR_NATION_NAME = "请填写民族名称"
ERR_CADRE_FIELDS = "担任团干职务的，须填写本支部团干职务、任现职年月、团干部性质和是否同级党支部成员"
ERR_CADRE_POST_NAME = "本支部团干职务为“其他”的，须填写职务名称"
ERR_HUKOU = "户籍所在地须填写省、市、区县"
ERR_BIRTH_REQUIRED = "请填写出生日期"

_EMAIL = re.compile(r"^[A-Za-z0-9]+([_.][A-Za-z0-9]+)*@[A-Za-z0-9]+([_.-][A-Za-z0-9]+)*\.[A-Za-z]{2,3}$")
_DIGITS = re.compile(r"^\d+$")


def month_start(day):
    return day.replace(day=1) if day else day


def name_problem(name):
    if not (name or "").strip():
        return ERR_REQUIRED
    if name_has_digits(name):
        return ERR_NAME_DIGIT
    return None


def not_future(day, today):
    return ERR_FUTURE if day and day > today else None


def age_in_months(birth, day):
    """Full months from the birth month to ``day``'s month (age "by month", as the reference counts it)."""
    return (day.year - birth.year) * 12 + day.month - birth.month


def join_date_problem(joined, birth, today):
    """入团年月: not in the future, within 50 years, not before birth, never over 28 at the join month,
    and (from 2017) at ≥ 13 full years by month (DESIGN §5)."""
    if joined is None:
        return ERR_REQUIRED
    if (joined.year, joined.month) > (today.year, today.month):
        return ERR_FUTURE
    if joined.year < today.year - 50:
        return ERR_JOIN_TOO_OLD
    if birth is None:
        return None
    months = age_in_months(birth, joined)
    if months < 0:
        return ERR_JOIN_BEFORE_BIRTH
    if months > JOIN_MAX_AGE * 12:
        return ERR_JOIN_OVER_28
    if joined >= MEMBER_NUMBER_FROM and months < JOIN_MIN_AGE * 12:
        return ERR_JOIN_AGE
    return None


def registration_age_problem(birth, is_cadre, today):
    """报到 at 28 or over only for a member who holds a league post: anybody else would be aged out by the
    next night's 满28 job (DESIGN §5), so the record would be wrong from the day it is made."""
    if birth is None or is_cadre:
        return None
    return ERR_REGISTER_OVER_28 if full_years(birth, today) >= JOIN_MAX_AGE else None


def member_number_required(joined):
    """团员编号 is required of those who joined in 2017 or later (DESIGN §5)."""
    return bool(joined) and joined >= MEMBER_NUMBER_FROM


def member_number_problem(number, joined, *, at_registration=True):
    """团员编号: from 2017 required, 12 digits, the first four the join year (DESIGN §5)."""
    number = (number or "").strip()
    if member_number_required(joined):
        if not number:
            return ERR_MEMBER_NUMBER_REQUIRED
        if not (len(number) == 12 and _DIGITS.match(number) and number[:4] == f"{joined.year:04d}"):
            return ERR_MEMBER_NUMBER_FORMAT
    elif len(number) > 24:
        return ERR_MEMBER_NUMBER_LENGTH
    return None


def mobile_problem(phone):
    if not (phone or "").strip():
        return ERR_REQUIRED
    return None if is_mobile(phone.strip()) else ERR_MOBILE


def email_problem(email):
    return ERR_EMAIL if email and not _EMAIL.match(email.strip()) else None


def qq_problem(qq):
    return ERR_QQ if qq and not (_DIGITS.match(qq) and 5 <= len(qq) <= 19) else None


def cadre_problems(data):
    """是否团干部 = 是 makes the post, 任现职年月, nature and committee membership required."""
    if not data.get("is_cadre"):
        return {}
    missing = [f for f in ("cadre_post", "cadre_since", "cadre_nature") if not data.get(f)]
    if missing or data.get("party_committee_member") is None:
        return {(missing or ["party_committee_member"])[0]: ERR_CADRE_FIELDS}
    if int(data["cadre_post"]) == 9 and not (data.get("cadre_post_name") or "").strip():
        return {"cadre_post_name": ERR_CADRE_POST_NAME}
    return {}


def clear_cadre_fields(data):
    """A member who is not a cadre has no cadre data (the DB constraint says so too)."""
    if not data.get("is_cadre"):
        data.update(cadre_post=None, cadre_post_name="", cadre_since=None, cadre_nature=None,
                    party_committee_member=None)
    return data


def real_len(text):
    """Length as the reference counts it: a CJK character is 2, anything else 1."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text or "")


def is_resident(id_type):
    return int(id_type) == IdType.RESIDENT


def today():
    from django.utils import timezone

    return timezone.localdate()

