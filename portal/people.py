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


class CadreNature(models.IntegerChoices):  # reference §3.3 团干部性质
    FULL_TIME = 1, "专职"
    PART_TIME = 2, "兼职"
    SECONDED = 3, "挂职"


ERR_NAME_DIGITS = "姓名不能包含数字"  # reference §7 checkName
ERR_FUTURE = "选择时间不能大于当前时间"  # reference §7: no date picker allows a future date


def name_has_digits(name):
    return any(ch.isdigit() for ch in name or "")
