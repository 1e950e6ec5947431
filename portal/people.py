"""What cadres and members share about people: enumerations (reference §3.3, §3.5, §3.10) and the
reference's rules for names and dates (§7)."""

from django.db import models

_NATIONS = ("汉族 壮族 满族 回族 苗族 维吾尔族 土家族 彝族 蒙古族 藏族 布依族 侗族 瑶族 朝鲜族 白族 哈尼族 哈萨克族 黎族 傣族 "
            "畲族 傈僳族 仡佬族 东乡族 拉祜族 水族 佤族 纳西族 羌族 土族 仫佬族 锡伯族 柯尔克孜族 达斡尔族 景颇族 毛南族 撒拉族 "
            "布朗族 塔吉克族 阿昌族 普米族 鄂温克族 怒族 京族 基诺族 德昂族 保安族 俄罗斯族 裕固族 乌孜别克族 门巴族 鄂伦春族 "
            "独龙族 塔塔尔族 赫哲族 高山族 珞巴族").split()
assert len(_NATIONS) == 56

NATION_CHOICES = [(i, name) for i, name in enumerate(_NATIONS, start=1)] + [(57, "其他")]
NATION_OTHER = 57


class PoliticalStatus(models.IntegerChoices):
    """politicalOutlook.json; members use the first three (MemberPoliticalOutlook.json)."""

    LEAGUE_MEMBER = 1, "共青团员"
    PARTY_MEMBER = 2, "中共党员"
    PROBATIONARY = 3, "中共预备党员"
    MASSES = 4, "群众"


class BranchDuty(models.IntegerChoices):
    """reference §3.4b (dutyOther.json): the duties of a cadre outside a 领导机关 — a 团支部's 本支部团干职务
    on the member record, and a cadre post's own 职务 in every other org."""

    SECRETARY = 1, "书记"
    DEPUTY = 2, "副书记"
    ORGANISATION = 3, "组织委员"
    PUBLICITY = 4, "宣传委员"
    SPORTS = 5, "文体委员"
    PRODUCTION = 6, "生产委员"
    RIGHTS = 7, "权益委员"
    VOLUNTEER = 8, "志愿委员"
    OTHER = 9, "其他"


class CadreNature(models.IntegerChoices):  # reference §3.3 团干部性质
    FULL_TIME = 1, "专职"
    PART_TIME = 2, "兼职"
    SECONDED = 3, "挂职"


ERR_NAME_DIGITS = "姓名不能包含数字"  # reference §7 checkName
ERR_FUTURE = "选择时间不能大于当前时间"  # reference §7: no date picker allows a future date


def name_has_digits(name):
    return any(ch.isdigit() for ch in name or "")


# 团干 age at entry. The reference states no rule; a cadre is at least of joining age (团章: 十四周岁以上)
# and a birth date over a century ago is a typing error in the ID number.
CADRE_MIN_AGE = 14
CADRE_MAX_AGE = 100
ERR_CADRE_AGE = f"团干须年满{CADRE_MIN_AGE}周岁且不超过{CADRE_MAX_AGE}周岁，请核对身份证号码中的出生日期"


def full_years(birth, day):
    """Age in full years (周岁) on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def cadre_age_problem(birth, today):
    """The one age rule for cadres, for the form, the service and the import alike."""
    if birth is None:
        return None
    return None if CADRE_MIN_AGE <= full_years(birth, today) <= CADRE_MAX_AGE else ERR_CADRE_AGE


# --- dates of a life: each date gets the range its meaning allows (members and cadres alike) ---------

OLDEST_YEARS = 100  # a birth date more than a century ago is a typing error
PARTY_MIN_AGE = 18  # 党章: 年满十八岁
OFFICE_MIN_AGE = 14  # a league post needs league membership: 十四周岁以上
ERR_BIRTH_RANGE = f"出生日期须在最近{OLDEST_YEARS}年内，且不能晚于今天"
ERR_PARTY_RANGE = f"入党年月须在年满{PARTY_MIN_AGE}周岁之后，且不能晚于当前月份"
ERR_OFFICE_RANGE = f"任现职年月须在年满{OFFICE_MIN_AGE}周岁之后，且不能晚于当前月份"
ERR_VOLUNTEER_RANGE = "注册志愿者时间不能早于出生日期，且不能晚于今天"
ERR_LEAGUE_RANGE = "入团年月不能早于出生年月，且不能晚于当前月份"


def _years_after(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 Feb
        return day.replace(year=day.year + years, day=28)


def _month(day):
    return (day.year, day.month)


#: The date fields of a person (members' and cadres' records name them alike) and their kinds.
LIFE_DATE_FIELDS = {"birth_date": "birth", "joined_league": "league", "joined_party": "party",
                    "took_office": "office", "cadre_since": "office", "volunteer_since": "volunteer"}


def life_date_problems(data, *, birth, today):
    """``{field: message}`` for the person's date fields present in ``data``."""
    return {field: problem for field, kind in LIFE_DATE_FIELDS.items()
            if (problem := life_date_problem(kind, data.get(field), birth=birth, today=today))}


def life_date_problem(kind, day, *, birth, today):
    """Why ``day`` cannot be this kind of date of a person born on ``birth`` (None: unknown), or None.

    ``kind``: ``birth``, ``party`` (入党年月), ``office`` (任现职年月), ``volunteer`` (注册志愿者时间),
    ``league`` (入团年月, as far as the person's age goes; members' 报到 has its own stricter rule).
    Months are compared by month, as the forms ask for them.
    """
    if day is None:
        return None
    oldest = _years_after(today, -OLDEST_YEARS)
    if kind == "birth":
        return ERR_BIRTH_RANGE if not oldest <= day <= today else None
    floor, message = {
        "party": (birth and _years_after(birth, PARTY_MIN_AGE), ERR_PARTY_RANGE),
        "office": (birth and _years_after(birth, OFFICE_MIN_AGE), ERR_OFFICE_RANGE),
        "volunteer": (birth, ERR_VOLUNTEER_RANGE),
        "league": (birth, ERR_LEAGUE_RANGE),
    }[kind]
    floor = floor or oldest
    if kind == "volunteer":
        return message if not floor <= day <= today else None
    return message if not _month(floor) <= _month(day) <= _month(today) else None
