"""ID numbers (DESIGN §5): one place for validation, masking and what an ID tells.

- 18-digit resident IDs are validated with python-stdnum's check digit, birth date and region table
  (a region code that exists or ever existed, whatever the birth year);
- 15-digit legacy IDs are accepted only for records imported as such (``allow_legacy``);
- 境外证件 are not validated beyond being present.
Shown masked (first 6 + ``********`` + last 4) everywhere except the owner's own page and the
detail view within scope; never written to logs.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric


class IdType(models.IntegerChoices):  # reference §3.11 idCardType
    RESIDENT = 1, "普通居民身份证"
    FOREIGN = 2, "境外身份证"


class Sex(models.IntegerChoices):  # reference §3.11
    MALE = 1, "男"
    FEMALE = 2, "女"


ERR_REQUIRED = "请输入身份证号码"
ERR_LENGTH = "身份证号码位数不对"
ERR_REGION = "身份证地区非法"
ERR_BIRTH = "身份证号码出生日期超出范围或含有非法字符"
ERR_CHECKSUM = "身份证号码校验错误"
ERR_LEGACY = "请使用18位身份证号码"
ERR_FOREIGN = "请输入证件号码（不超过30位）"


def normalize(number):
    return (number or "").strip().upper().replace(" ", "")


def validate_id_number(number, id_type=IdType.RESIDENT, *, allow_legacy=False):
    """Return the normalised number or raise ValidationError with the reference's Chinese message."""
    number = normalize(number)
    if not number:
        raise ValidationError(ERR_REQUIRED, code="required")
    if int(id_type) == IdType.FOREIGN:
        if len(number) > 30:
            raise ValidationError(ERR_FOREIGN, code="foreign")
        return number
    if len(number) == 15 and allow_legacy:
        return _validate_legacy(number)
    if len(number) == 15:
        raise ValidationError(ERR_LEGACY, code="legacy")
    if len(number) != 18 or not number[:17].isdigit():
        raise ValidationError(ERR_LENGTH, code="length")
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(ERR_CHECKSUM, code="checksum")
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise ValidationError(ERR_BIRTH, code="birth") from None
    if born > date.today():
        raise ValidationError(ERR_BIRTH, code="birth")
    if region_name(number) is None:
        raise ValidationError(ERR_REGION, code="region")
    return number


def region_name(number):
    """The county a resident ID's first six digits name, or None when the code never existed.

    stdnum's own check (``ric.validate``) also requires the county to have existed in the birth year,
    which refuses real people: a county code is given when the ID is issued, not at birth (宝安区 was
    created in 1992, so everyone born there before 1992 would be refused). Any code the region table
    lists, with whatever years, is accepted. A code the table lists without a county (e.g. 440110, or
    a prefix of a real code) is not a county and is refused.
    """
    info = {key: value for _part, props in _regions().info(number[:6]) for key, value in props.items()}
    counties = [name.split("]", 1)[-1] for name in info.get("county", "").split(",") if name]
    return counties[-1] if counties else None


def _regions():
    from stdnum import numdb

    return numdb.get("cn/loc")


def _validate_legacy(number):
    if not number.isdigit():
        raise ValidationError(ERR_LENGTH, code="length")
    try:
        date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        raise ValidationError(ERR_BIRTH, code="birth") from None
    return number


def birth_date(number):
    """The birth date an 18- or 15-digit resident ID carries, or None."""
    number = normalize(number)
    try:
        if len(number) == 18:
            return ric.get_birth_date(number)
        if len(number) == 15 and number.isdigit():
            return date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except (stdnum_errors.ValidationError, ValueError):
        return None
    return None


def sex(number):
    """Sex from the sequence digit (odd = male) of a resident ID, or None."""
    number = normalize(number)
    digit = number[16] if len(number) == 18 else number[14] if len(number) == 15 else ""
    if not digit.isdigit():
        return None
    return Sex.MALE if int(digit) % 2 else Sex.FEMALE


def mask(number):
    """First 6 + ``********`` + last 4 (reference §7 ID masking); short numbers keep only their ends."""
    number = normalize(number)
    if len(number) >= 15:
        return f"{number[:6]}********{number[-4:]}"
    if len(number) > 4:
        return f"{number[:2]}{'*' * (len(number) - 4)}{number[-2:]}"
    return "*" * len(number)
