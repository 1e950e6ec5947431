"""ID numbers: stdnum validation with the reference's Chinese messages, masking, birth date and sex."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from portal import idcard

from ..factories import make_id_number


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", " 440106200001010019 ",
                                    make_id_number("19990315")])
def test_good_resident_ids(number):
    assert idcard.validate_id_number(number) == number.strip().upper()


@pytest.mark.parametrize("number", [
    "440306199001010014",  # 宝安区, created 1992: a code is given when the ID is issued, not at birth
    "440113199901010012",  # 番禺区, created 2000
    "440309200301010010",  # 龙华区, created 2016
    "44011119800101001X",  # 白云区's code, which was 郊区 until 1986
    "440120197001010011",  # 广州 市区, abolished 1983: a code that once existed stays valid
])
def test_region_codes_created_after_birth_or_since_abolished_are_valid(number):
    assert idcard.validate_id_number(number) == number
    assert idcard.birth_date(number).year < 2016


def test_region_name_from_the_table():
    assert idcard.region_name("440306199001010014") == "宝安区"
    assert idcard.region_name("44011119800101001X") == "白云区"
    assert idcard.region_name("990105194912310023") is None


@pytest.mark.parametrize("number, message", [
    ("440306199001010015", idcard.ERR_CHECKSUM),  # 宝安区 with a wrong check digit
    ("440199199001010017", idcard.ERR_REGION),  # 广州 has no county 99

    ("", idcard.ERR_REQUIRED),
    ("110105194912310021", idcard.ERR_CHECKSUM),  # last digit wrong
    ("110105194913310021", idcard.ERR_BIRTH),  # month 13, check digit right
    ("440106209901010015", idcard.ERR_BIRTH),  # born in 2099
    ("990105194912310023", idcard.ERR_REGION),  # region 99
    ("440110199001010018", idcard.ERR_REGION),  # a region stdnum lists without counties
    ("1101051949123100", idcard.ERR_LENGTH),
    ("11010519491231002Y", idcard.ERR_CHECKSUM),
    ("A10105194912310021", idcard.ERR_LENGTH),
    ("110105491231002", idcard.ERR_LEGACY),  # 15 digits only for imported legacy records
])
def test_bad_resident_ids(number, message):
    with pytest.raises(ValidationError) as exc:
        idcard.validate_id_number(number)
    assert exc.value.messages == [message]


def test_legacy_and_foreign_ids():
    assert idcard.validate_id_number("110105491231002", allow_legacy=True) == "110105491231002"
    with pytest.raises(ValidationError, match=idcard.ERR_BIRTH):
        idcard.validate_id_number("110105491331002", allow_legacy=True)
    assert idcard.validate_id_number("h1234567(8)", idcard.IdType.FOREIGN) == "H1234567(8)"  # not validated
    with pytest.raises(ValidationError):
        idcard.validate_id_number("X" * 31, idcard.IdType.FOREIGN)


def test_what_an_id_tells_and_how_it_is_shown():
    assert idcard.birth_date("11010519491231002X") == date(1949, 12, 31)
    assert idcard.birth_date("110105491231002") == date(1949, 12, 31)
    assert idcard.birth_date("garbage") is None
    assert idcard.sex("11010519491231002X") == idcard.Sex.FEMALE
    assert idcard.sex(make_id_number(female=False)) == idcard.Sex.MALE
    assert idcard.mask("11010519491231002X") == "110105********002X"
    assert idcard.mask("110105491231002") == "110105********1002"
    assert idcard.mask("H1234567") == "H1****67"
