"""bench_orgtree: a province-sized org tree, and the lazy tree's endpoints timed against a trivial view.

`manage.py bench_orgtree --orgs 100000` builds (or reuses) a realistic 7-level tree under its own
non-system root on the configured database, then times the lazy-children and name-search endpoints
against `portal:ping` in the same run (DESIGN §7). The last line printed is one line of JSON.

The tree is written with bulk_create and materialised paths computed here, not through the services:
one org at a time through `org_create` would take hours at this size. Codes still come from
IssuedOrgCode and every org still gets its org account, so the row counts are the real ones.
"""

import json
import random
import secrets
import time

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils import timezone

from portal.bench import bench_settings, org_client, p50_p95_ms, percentile, round_robin, settle
from portal.models import User

from orgtree.models import IssuedOrgCode, Organization
from orgtree.rules import Industry, OrgType, type_allowed_under

L, C, W, G, B = OrgType.LEADING, OrgType.COMMITTEE, OrgType.WORKING, OrgType.GENERAL_BRANCH, OrgType.BRANCH

BENCH_ROOT_NAME = "共青团基准测试省委员会"
BENCH_ROOT_SHORT = "基准测试省委"
BATCH = 5000
MAX_DEPTH = 7
STEP = Organization.steplen

# ---------------------------------------------------------------------------------------------
# Vocabulary. Names are built from these words, and the search queries are drawn from them too.
# ---------------------------------------------------------------------------------------------

# (city, area code, weight, districts). A district ending in 市 is a county-level city and is
# named without its prefecture.
CITIES = [
    ("广州", "020", 14, "越秀区 海珠区 荔湾区 天河区 白云区 黄埔区 番禺区 花都区 南沙区 从化区 增城区"),
    ("深圳", "0755", 13, "福田区 罗湖区 南山区 盐田区 宝安区 龙岗区 龙华区 坪山区 光明区"),
    ("珠海", "0756", 2.5, "香洲区 斗门区 金湾区"),
    ("汕头", "0754", 5, "龙湖区 金平区 濠江区 潮阳区 潮南区 澄海区 南澳县"),
    ("佛山", "0757", 8, "禅城区 南海区 顺德区 三水区 高明区"),
    ("韶关", "0751", 3, "武江区 浈江区 曲江区 乐昌市 南雄市 仁化县 始兴县 翁源县 新丰县 乳源县"),
    ("河源", "0762", 3, "源城区 东源县 和平县 龙川县 紫金县 连平县"),
    ("梅州", "0753", 4, "梅江区 梅县区 兴宁市 平远县 蕉岭县 大埔县 丰顺县 五华县"),
    ("惠州", "0752", 5, "惠城区 惠阳区 博罗县 惠东县 龙门县"),
    ("汕尾", "0660", 2.5, "城区 海丰县 陆丰市 陆河县"),
    ("东莞", "0769", 8, "莞城街道 南城街道 东城街道 万江街道 石龙镇 石碣镇 虎门镇 长安镇 塘厦镇 常平镇 樟木头镇 厚街镇"),
    ("中山", "0760", 4, "石岐街道 东区街道 西区街道 南区街道 小榄镇 古镇镇 横栏镇 三乡镇 坦洲镇 沙溪镇"),
    ("江门", "0750", 4, "蓬江区 江海区 新会区 台山市 开平市 鹤山市 恩平市"),
    ("阳江", "0662", 2.5, "江城区 阳东区 阳西县 阳春市"),
    ("湛江", "0759", 6, "赤坎区 霞山区 坡头区 麻章区 遂溪县 徐闻县 廉江市 雷州市 吴川市"),
    ("茂名", "0668", 5, "茂南区 电白区 高州市 化州市 信宜市"),
    ("肇庆", "0758", 4, "端州区 鼎湖区 高要区 四会市 广宁县 怀集县 封开县 德庆县"),
    ("清远", "0763", 4, "清城区 清新区 英德市 连州市 佛冈县 阳山县 连山县 连南县"),
    ("潮州", "0768", 2.5, "湘桥区 潮安区 饶平县"),
    ("揭阳", "0663", 5, "榕城区 揭东区 揭西县 惠来县 普宁市"),
    ("云浮", "0766", 2, "云城区 云安区 新兴县 郁南县 罗定市"),
]

STREETS = ("石牌 林和 沙河 五山 员村 车陂 龙洞 棠下 天园 冼村 猎德 元岗 黄村 长兴 凤凰 前进 珠吉 新塘 北京 人民 "
           "东山 大塘 农林 梅花村 华乐 建设 登峰 流花 光塔 六榕 洪桥 矿泉 滨江 素社 海幢 龙凤 沙园 宝岗 新港 琶洲 "
           "凤阳 瑞宝 江海 华洲 官洲 南洲 桂城 大沥 罗村 祖庙 石湾 张槎 大良 容桂 伦教 莲花 沙头 翠竹 东门 "
           "园岭 华富 香蜜湖 梅林 招商 蛇口 粤海 西丽 桃源 新安 西乡 福永 沙井 布吉 坂田 横岗 民治 大浪").split()
COMMUNITIES = ("华师 龙口西 天河北 金穗 华港 嘉禾 幸福 和平 团结 新村 东风 向阳 光明 胜利 红旗 长安 安居 乐居 康乐 怡景 "
               "翠苑 丽江 金沙 海滨 花园 锦绣 碧湖 荔苑 桂园 榕树头 水荫 沙东 广氮 东方 岭南 南湖 西湖 北湖 "
               "文昌 书院 学府 青年 新华 永安 太平 福民 德政 仁和 振兴 富华 兴隆 泰安 松柏 竹园 梅园 兰亭 "
               "云景 星河 天悦 紫荆 木棉 凤凰城 金碧 银湖 白云 绿洲 宏发 华景 骏景 东圃 盈彩 雅苑").split()
TOWNS = ("石龙 虎门 长安 塘厦 常平 樟木头 小榄 古镇 横栏 西樵 九江 乐从 北滘 龙江 均安 杏坛 里水 丹灶 太平 "
         "钟落潭 良口 鳌头 派潭 正果 中新 石滩 新街 狮岭 炭步 赤坭 横沥 麻涌 望牛墩 洪梅 黄江 清溪 凤岗 "
         "谢岗 桥头 企石 石排 茶山 高埗 三角 民众 阜沙 东升 坦背 大岗 榄核 横沥口 沙湾 石碁 化龙").split()
VILLAGES = ("东村 西村 南村 北村 新围 旧围 上坪 下坪 塘头 坑口 石岗 大岭 水口 黄沙 白石 竹园 松岗 梅林 桂林 "
            "龙头 凤尾 沙埔 塘尾 石陂 岗头 田心 围仔 新联 联和 永和 东升 西就 南岸 北岸 上塘 下塘 高村 "
            "莲塘 荷塘 横江 石楼 官涌 马头 牛湾 鹅岭 良田 福田 禾仓 麦村 禾坑 汾水 罗洞 茅岗 湾头").split()
PARKS = "科创 智造 高新 临港 电子信息 先进制造 新材料 生物医药 物流 现代农业 节能环保 数字经济".split()
BRANDS = ("华信 粤海 南方 珠江 岭南 星河 远航 博雅 华创 智联 云图 鼎泰 中科 新源 恒通 泰和 金田 银河 海纳 众创 凌云 "
          "卓越 瑞丰 宏达 立信 诚达 天成 永泰 嘉禾 恒丰 德润 汇通 盛世 鸿图 伟业 启航 新锐 东方 宝华 富力 "
          "奥林 博通 安信 捷达 优品 万达 骏马 长城 光华 金鹰 明珠 锦程 翔宇 聚力 航天 奇点 云帆 极光 蓝海").split()
INDUSTRIES = ("软件科技 电子科技 网络科技 信息技术 生物医药 新能源 智能制造 物流 建设工程 食品 服装 汽车零部件 精密机械 "
              "照明电器 家具制造 通信设备 化工 纺织 国际贸易 电力 环保科技 数据服务 文化传媒 新材料 医疗器械 "
              "半导体 检测技术 供应链管理 人力资源服务 餐饮管理").split()
DEPTS = ("研发一部 研发二部 研发三部 研发四部 市场部 销售一部 销售二部 生产一车间 生产二车间 生产三车间 质量管理部 "
         "财务部 人力资源部 行政部 采购部 物流部 运营部 设计部 测试部 工程部 安全环保部 信息技术部 客服部 法务部 "
         "品牌部 仓储部 售后服务部 战略发展部 审计部 党群工作部").split()
# General branch of a company: its name and how its branches are numbered.
CENTERS = [("研发中心", "研发{}部"), ("生产中心", "生产{}车间"), ("技术中心", "技术{}部"), ("客户服务中心", "客服{}部"),
           ("制造中心", "第{}车间"), ("营销中心", "营销{}部"), ("工程中心", "项目{}部")]
REGIONS = "华南 华东 华北 华中 西南 西北 东北 粤东 粤西 粤北 珠三角 港澳".split()
SCHOOL_NAMES = "实验 外国语 育才 培英 启明 明德 华侨 师范附属 红棉 执信 广雅 培正 真光 协和 英才 崇文 志远 新华".split()
VOC_SCHOOLS = "理工 商贸 旅游 交通 机电 电子信息 轻工 建筑 卫生 财经".split()
UNI_WORDS = "理工 科技 师范 医科 财经 外语外贸 工商 城市 交通 农业 海洋 医药 中医药 体育 美术 工业".split()
VOC_COLLEGES = "轻工 工贸 科贸 信息 机电 建设 卫生 交通 城市 农工商 番禺 司法 体育 南华工商".split()
COLLEGES = {
    "计算机学院": "计算机科学与技术 软件工程 网络工程 人工智能 数据科学与大数据技术",
    "经济管理学院": "会计学 金融学 市场营销 国际经济与贸易 工商管理",
    "外国语学院": "英语 日语 法语 翻译 商务英语",
    "机械工程学院": "机械设计制造及其自动化 车辆工程 工业设计 机械电子工程",
    "电子信息学院": "电子信息工程 通信工程 微电子科学与工程 自动化",
    "土木工程学院": "土木工程 建筑学 工程管理 给排水科学与工程",
    "法学院": "法学 知识产权 社会工作",
    "新闻与传播学院": "新闻学 广告学 网络与新媒体 传播学",
    "数学与统计学院": "数学与应用数学 统计学 信息与计算科学",
    "化学与化工学院": "化学 应用化学 化学工程与工艺 材料化学",
    "医学院": "临床医学 口腔医学 预防医学 护理学 药学",
    "艺术学院": "美术学 音乐学 视觉传达设计 环境设计 舞蹈学",
    "文学院": "汉语言文学 历史学 哲学 秘书学",
    "体育学院": "体育教育 运动训练 社会体育指导与管理",
    "生命科学学院": "生物科学 生物技术 生态学",
    "环境与能源学院": "环境工程 能源与动力工程 新能源科学与工程",
}
UNI_UNITS = "机关 后勤服务中心 图书馆 研究生院 附属医院 继续教育学院".split()
BUREAUS = ("教育局 卫生健康局 公安分局 财政局 人力资源和社会保障局 市场监督管理局 住房和城乡建设局 交通运输局 "
           "农业农村局 民政局 司法局 税务局 文化广电旅游体育局 生态环境分局 应急管理局 城市管理和综合执法局 "
           "统计局 审计局 医疗保障局 政务服务数据管理局 人民法院 人民检察院 供销合作联社 科学技术局").split()
OFFICES = ("办公室 综合科 政策法规科 人事科 财务科 信息中心 监察室 规划科 业务一科 业务二科 业务三科 行政审批科 "
           "宣传科 机关后勤 档案室 督查室").split()
UNITS = "执法大队 稽查大队 政务服务中心 直属分局 巡查大队 监测站".split()
HOSPITAL_UNITS = "内科系统 外科系统 医技科室 护理部 行政后勤".split()
WARDS = ("心血管内科 呼吸内科 消化内科 神经内科 普通外科 骨科 神经外科 儿科 妇产科 急诊科 重症医学科 麻醉科 眼科 "
         "耳鼻喉科 口腔科 皮肤科 康复医学科 检验科 放射科 超声科 药剂科 病理科 中医科 感染科 信息科 总务科").split()
SOCIAL = ("青年志愿者协会 社会工作服务中心 青年企业家协会 律师协会 青年商会 义工联合会 网络文化协会 电子商务协会 "
          "青年创业促进会 青少年发展基金会 科技工作者协会 新阶层联谊会").split()
SOCIAL_UNITS = "秘书处 志愿服务队 项目部 会员服务部 青年之家".split()

SURNAMES = "陈李黄张梁刘林王吴何郑杨罗谢周钟曾邓许冯蔡彭苏潘卢朱胡叶余温"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红晓文斌宇浩欣怡梓涵子轩思远嘉俊佳琪雨婷"
EMAIL_DOMAINS = ["qq.com", "163.com", "126.com", "12355.net"]
CN = "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五 十六 十七 十八 十九 二十".split()

SUFFIX = {L: "委员会", C: "委员会", W: "工作委员会", G: "总支部委员会", B: "支部委员会"}
SHORT_SUFFIX = {C: "团委", W: "团工委", G: "团总支", B: "团支部"}


def cn(n):
    return CN[n - 1] if 1 <= n <= len(CN) else str(n)


def search_pool():
    """Words to search for, by category; a query is their first 3 or 4 characters. Words shorter than
    3 characters are left out: the pg_trgm index needs 3 (a 2-character query is a sequential scan)."""
    districts = [d for _, _, _, ds in CITIES for d in ds.split()]
    pool = {
        "city": [f"{c}市" for c, *_ in CITIES],
        "district": [d for d in districts if len(d) >= 3],
        "street": [f"{s}街道" for s in STREETS],
        "community": [f"{s}社区" for s in COMMUNITIES],
        "town": [f"{t}镇" for t in TOWNS],
        "village": [f"{v}村" for v in VILLAGES],
        "company": [f"{b}{i[:2]}" for b in BRANDS for i in INDUSTRIES[:6]],
        "industry": INDUSTRIES,
        "dept": DEPTS,
        "college": list(COLLEGES),
        "major": [m for ms in COLLEGES.values() for m in ms.split()],
        "bureau": BUREAUS,
        "ward": WARDS,
        "school": [f"第{cn(n)}中学" for n in range(1, 10)] + [f"{w}大学" for w in UNI_WORDS],
        "social": SOCIAL,
    }
    return {category: [w for w in words if len(w) >= 3] for category, words in pool.items()}


class Info:
    """A node before it has a path: what it is called and what it is."""

    __slots__ = ("kind", "org_type", "stem", "child_stem", "short_seg", "industry", "school_code",
                 "grad_year", "ctx")

    def __init__(self, kind, org_type, stem, short_seg, industry=None, school_code="", grad_year=None,
                 child_stem=None, **ctx):
        self.kind, self.org_type, self.stem, self.short_seg = kind, org_type, stem, short_seg
        self.industry, self.school_code, self.grad_year = industry, school_code, grad_year
        # A general branch's branches are named after its parent (…有限公司研发一部支部委员会).
        self.child_stem = stem if child_stem is None else child_stem
        self.ctx = ctx

    @property
    def full_name(self):
        return f"共青团{self.stem}{SUFFIX[self.org_type]}"[:99]

    @property
    def short_name(self):
        if self.org_type == L:
            return f"团{self.short_seg}委"[:99]
        return f"{self.short_seg}{SHORT_SUFFIX[self.org_type]}"[:99]


class TreeShape:
    """Generates the bench tree depth-first with exact subtree sizes, so numchild is known up front.

    Every subtree is given a node budget first; a node then splits its budget among children it
    draws (团支部 = 1, 团总支 / 下级团委 = a range) until the budget is spent.
    """

    def __init__(self, rng, this_year):
        self.rng = rng
        self.entry_year = this_year if timezone.localdate().month >= 9 else this_year - 1
        self.used = set()  # names of units that exist once (companies, universities, city hospitals)

    # ---- helpers -------------------------------------------------------------------------
    def pick(self, words):
        return self.rng.choice(words)

    def nth(self, words, parent, i, ordinal=True):
        """The i-th of ``words`` from a per-parent random offset: siblings get distinct names
        (with an ordinal once the words run out)."""
        off = parent.ctx.setdefault("off", self.rng.randrange(len(words)))
        n, word = (i - 1) // len(words), words[(off + i - 1) % len(words)]
        return word + cn(n + 1) if n and ordinal else word

    def unique(self, make):
        """A name from ``make()`` not used before in this tree, if one turns up within a few tries."""
        for _ in range(20):
            name = make()
            if name not in self.used:
                break
        self.used.add(name)
        return name

    def plan(self, roles, rest):
        """Child budgets: draw (role, size) until ``rest`` nodes are spent."""
        weights = [r[1] for r in roles]
        out = []
        while rest > 0:
            role, _, lo, hi = self.rng.choices(roles, weights)[0]
            size = min(self.rng.randint(lo, hi), rest)
            out.append(("branch" if size == 1 else role, size))
            rest -= size
        return out

    def split(self, total, weights):
        """``total`` split in proportion to ``weights``, each part at least 1 (largest remainder)."""
        n = len(weights)
        if total <= n:
            return [1] * total
        spare = total - n
        s = sum(weights)
        raw = [spare * w / s for w in weights]
        parts = [int(x) for x in raw]
        for k in sorted(range(n), key=lambda k: raw[k] - parts[k], reverse=True)[: spare - sum(parts)]:
            parts[k] += 1
        return [p + 1 for p in parts]

    # ---- the tree ----------------------------------------------------------------------------
    def nodes(self, root_info, total, root_path):
        """Yield ``(info, path, depth, numchild)`` for ``total`` nodes in preorder."""
        yield from self._grow(root_info, total, root_path, 1)

    def _grow(self, info, budget, path, depth):
        plan = self._children_plan(info, depth, budget - 1)
        yield info, path, depth, len(plan)
        for i, (role, size) in enumerate(plan, 1):
            child = self._child(info, role, i, depth + 1, size)
            assert type_allowed_under(child.org_type, info.org_type), (info.full_name, child.full_name)
            yield from self._grow(child, size, Organization._get_path(path, depth + 1, i), depth + 1)

    def _children_plan(self, info, depth, rest):
        if rest <= 0:
            return []
        if info.org_type == G or depth + 1 == MAX_DEPTH:
            return [("branch", 1)] * rest
        kind = info.kind
        if kind == "root":
            cities = CITIES[:rest]
            return [("city", n) for n in self.split(rest, [c[2] for c in cities])]
        if kind == "city":
            districts = info.ctx["districts"][:rest]
            return [("district", n) for n in self.split(rest, [self.rng.uniform(0.5, 1.5) for _ in districts])]
        if kind == "district":
            return self.plan(BASE_KINDS, rest)
        return self.plan(KIND_ROLES[kind][depth + 1], rest)

    def _child(self, parent, role, i, depth, size):
        if role == "city":
            city, area, _, districts = CITIES[i - 1]
            return Info("city", L, f"{city}市", f"{city}市", area=area, city=city, districts=districts.split())
        if role == "district":
            name = parent.ctx["districts"][i - 1]
            stem = name if name.endswith("市") else f"{parent.stem}{name}"
            return Info("district", L, stem, name, area=parent.ctx["area"], city=parent.ctx["city"], dname=name)
        area, city = parent.ctx["area"], parent.ctx["city"]
        base = dict(area=area, city=city)
        if parent.kind == "district":
            return self._base_org(role, parent, size, base)
        return getattr(self, f"_child_{parent.kind}")(parent, role, i, base)

    # ---- 基层团委 (depth 4) -----------------------------------------------------------------
    def _base_org(self, kind, district, size, base):
        rng, d = self.rng, district
        if size == 1:  # a small unit's 团支部 straight under the district committee
            bureau = self.pick(BUREAUS)
            return Info("gov", B, f"{d.stem}{bureau}", f"{d.ctx['dname']}{bureau}", Industry.PARTY_GOVERNMENT, **base)
        if kind == "street":
            seg = f"{self.pick(STREETS)}街道"
            return Info("street", C if rng.random() < 0.6 else W, f"{d.stem}{seg}", seg,
                        Industry.URBAN_COMMUNITY, **base)
        if kind == "town":
            seg = f"{self.pick(TOWNS)}镇"
            return Info("town", C, f"{d.stem}{seg}", seg, Industry.RURAL, **base)
        if kind == "company":
            industry = rng.choices([Industry.NON_PUBLIC, Industry.STATE_OWNED, Industry.COLLECTIVE], [70, 20, 10])[0]
            suffix = "集团有限公司" if industry == Industry.STATE_OWNED else self.pick(["有限公司", "有限公司", "股份有限公司"])
            brand, ind = self.unique(lambda: (self.pick(BRANDS), self.pick(INDUSTRIES)))
            return Info("company", C, f"{base['city']}{brand}{ind}{suffix}", f"{brand}{ind[:2]}", industry, **base)
        if kind == "school":
            industry = rng.choices([Industry.HIGH_SCHOOL, Industry.JUNIOR_HIGH, Industry.VOCATIONAL], [55, 30, 15])[0]
            if industry == Industry.VOCATIONAL:
                seg = f"{self.pick(VOC_SCHOOLS)}职业技术学校"
            elif rng.random() < 0.5:
                seg = f"第{cn(rng.randint(1, 20))}中学"
            else:
                seg = f"{self.pick(SCHOOL_NAMES)}中学"
            school_type = {Industry.HIGH_SCHOOL: 34, Industry.JUNIOR_HIGH: 31, Industry.VOCATIONAL: 36}[industry]
            code = f"{school_type}44{rng.randrange(10**6):06d}"  # AA type, 44 Guangdong, then the school
            return Info("school", C, f"{d.stem}{seg}", seg, industry, code,
                        level="初" if industry == Industry.JUNIOR_HIGH else "高", **base)
        if kind == "university":
            if rng.random() < 0.6:
                name = self.unique(lambda: f"{base['city']}{self.pick(UNI_WORDS)}大学")
            else:
                name = self.unique(lambda: f"{base['city']}{self.pick(VOC_COLLEGES)}职业技术学院")
            industry = Industry.UNIVERSITY if name.endswith("大学") else Industry.VOCATIONAL
            return Info("university", C, name, name, industry, f"4144{rng.randrange(10**6):06d}", **base)
        if kind == "gov":
            bureau = self.pick(BUREAUS)
            return Info("gov", C, f"{d.stem}{bureau}", f"{d.ctx['dname']}{bureau}", Industry.PARTY_GOVERNMENT, **base)
        if kind == "hospital":
            if rng.random() < 0.6:  # the district's own hospital
                seg = self.pick(["人民医院", "中医院", "妇幼保健院", "第二人民医院"])
                stem, short = f"{d.stem}{seg}", f"{d.ctx['dname']}{seg}"
            else:  # a city institution sited in the district
                stem = short = self.unique(lambda: f"{base['city']}市" + self.pick(
                    [f"第{cn(rng.randint(1, 12))}人民医院", "疾病预防控制中心", "急救中心", "中心血站"]))
            return Info("hospital", C, stem, short, Industry.PUBLIC_INSTITUTION, **base)
        seg = self.pick(SOCIAL)  # social
        return Info("social", C, f"{d.stem}{seg}", f"{d.ctx['dname']}{seg}", Industry.NEW_SOCIAL_ORG, **base)

    # ---- below 基层团委: one method per kind -----------------------------------------------------
    def _child_street(self, p, role, i, base):
        if p.org_type == G:
            seg = f"{p.ctx['community']}第{cn(i)}"
            return Info("street", B, f"{p.child_stem}{seg}", seg, p.industry, **base)
        community = f"{self.nth(COMMUNITIES, p, i)}社区"
        if role == "gb":
            return Info("street", G, f"{p.stem}{community}", community, p.industry, child_stem=p.stem,
                        community=community, **base)
        if self.rng.random() < 0.12:
            community = self.pick(["街道机关", "综合执法队", "党群服务中心", "网格化服务中心", "出租屋管理服务中心"])
        return Info("street", B, f"{p.stem}{community}", community, p.industry, **base)

    def _child_town(self, p, role, i, base):
        rng = self.rng
        if p.org_type == G:
            if "village" in p.ctx:
                seg = f"{p.ctx['village']}第{cn(i)}"
            else:
                seg = f"{p.ctx['company']}{self.nth(DEPTS, p, i)}"
            return Info("town", B, f"{p.child_stem}{seg}", seg, p.industry, **base)
        if p.ctx.get("park"):  # 工业园 committee: its companies
            company = f"{self.pick(BRANDS)}{self.pick(INDUSTRIES)[:2]}公司"
            if role == "gb":
                return Info("town", G, f"{p.stem}{company}", company, Industry.NON_PUBLIC, child_stem=p.stem,
                            company=company, **base)
            return Info("town", B, f"{p.stem}{company}", company, Industry.NON_PUBLIC, **base)
        if role == "sub":
            park = f"{self.pick(PARKS)}产业园"
            return Info("town", C, f"{p.stem}{park}", park, Industry.NON_PUBLIC, park=True, **base)
        village = f"{self.nth(VILLAGES, p, i)}"
        if role == "gb":
            return Info("town", G, f"{p.stem}{village}", village, p.industry, child_stem=p.stem, village=village,
                        **base)
        if rng.random() < 0.1:
            village = self.pick(["镇机关", "镇农业服务中心", "镇综合执法队", "镇卫生院", "镇文化站"])
        return Info("town", B, f"{p.stem}{village}", village, p.industry, **base)

    def _child_company(self, p, role, i, base):
        if p.org_type == G:
            seg = p.ctx["pattern"].format(cn(i))
            return Info("company", B, f"{p.child_stem}{seg}", seg, p.industry, **base)
        if role == "sub":
            seg = self.rng.choice([f"{self.pick(REGIONS)}分公司", f"第{cn(self.rng.randint(1, 9))}分厂",
                                   f"{self.pick(CITIES)[0]}子公司"])
            return Info("company", C, f"{p.stem}{seg}", seg, p.industry, **base)
        if role == "gb":
            center, pattern = self.nth(CENTERS, p, i, ordinal=False)
            return Info("company", G, f"{p.stem}{center}", center, p.industry, child_stem=p.stem, pattern=pattern,
                        **base)
        seg = self.nth(DEPTS, p, i)
        return Info("company", B, f"{p.stem}{seg}", seg, p.industry, **base)

    def _child_school(self, p, role, i, base):
        if p.org_type == G:
            year = p.ctx["year"]
            seg = f"{year}级{i}班"
            return Info("school", B, f"{p.child_stem}{seg}", seg, p.industry, p.school_code, year + 3, **base)
        if role == "gb":
            grade = self.nth([1, 2, 3], p, i, ordinal=False)
            seg = f"{p.ctx['level']}{cn(grade)}年级"
            return Info("school", G, f"{p.stem}{seg}", seg, p.industry, p.school_code, child_stem=p.stem,
                        year=self.entry_year - grade + 1, **base)
        if self.rng.random() < 0.1:
            return Info("school", B, f"{p.stem}教工", "教工", p.industry, **base)  # staff: not a school branch
        year = self.entry_year - self.rng.randint(0, 2)
        seg = f"{year}级{i}班"
        return Info("school", B, f"{p.stem}{seg}", seg, p.industry, p.school_code, year + 3, **base)

    def _child_university(self, p, role, i, base):
        rng = self.rng
        if p.org_type == G:
            majors, year = p.ctx["majors"], p.ctx["year"]
            k, m = divmod(i - 1, len(majors))
            seg = f"{year}级{majors[m]}{k + 1}班"
            return Info("university", B, f"{p.child_stem}{seg}", seg, p.industry, p.school_code, year + 4, **base)
        if "majors" in p.ctx:  # a 学院
            year = self.entry_year - rng.randint(0, 3)
            if role == "gb":
                year = self.entry_year - self.nth([0, 1, 2, 3], p, i, ordinal=False)
                seg = f"{year}级"
                return Info("university", G, f"{p.stem}{seg}", f"{p.short_seg}{seg}", p.industry, p.school_code,
                            child_stem=p.stem, year=year, majors=p.ctx["majors"], **base)
            seg = f"{year}级{self.pick(p.ctx['majors'])}{i}班"
            return Info("university", B, f"{p.stem}{seg}", seg, p.industry, p.school_code, year + 4, **base)
        if role == "sub":
            college = self.nth(list(COLLEGES), p, i, ordinal=False)
            majors = COLLEGES[college].split()
            return Info("university", C, f"{p.stem}{college}", college, p.industry, p.school_code, majors=majors,
                        **base)
        seg = f"{self.pick(UNI_UNITS)}第{cn(i)}"
        return Info("university", B, f"{p.stem}{seg}", seg, p.industry, **base)  # staff: not a school branch

    def _child_gov(self, p, role, i, base):
        if p.org_type == G:
            seg = f"{p.ctx['unit']}第{cn(i)}中队"
            return Info("gov", B, f"{p.child_stem}{seg}", seg, p.industry, **base)
        if role == "gb":
            unit = self.pick(UNITS)
            return Info("gov", G, f"{p.stem}{unit}", unit, p.industry, child_stem=p.stem, unit=unit, **base)
        seg = self.nth(OFFICES, p, i)
        return Info("gov", B, f"{p.stem}{seg}", seg, p.industry, **base)

    def _child_hospital(self, p, role, i, base):
        if p.org_type == G:
            seg = self.nth(WARDS, p, i)
            return Info("hospital", B, f"{p.child_stem}{seg}", seg, p.industry, **base)
        if role == "sub":
            seg = f"{self.pick('东西南北新')}院区"
            return Info("hospital", C, f"{p.stem}{seg}", seg, p.industry, **base)
        if role == "gb":
            unit = self.nth(HOSPITAL_UNITS, p, i)
            return Info("hospital", G, f"{p.stem}{unit}", unit, p.industry, child_stem=p.stem, **base)
        seg = self.nth(WARDS, p, i)
        return Info("hospital", B, f"{p.stem}{seg}", seg, p.industry, **base)

    def _child_social(self, p, role, i, base):
        if p.org_type == G:
            seg = f"会员单位第{cn(i)}"
            return Info("social", B, f"{p.child_stem}{seg}", seg, p.industry, **base)
        if role == "gb":
            return Info("social", G, f"{p.stem}会员单位", "会员单位", p.industry, child_stem=p.stem, **base)
        seg = f"{self.nth(SOCIAL_UNITS, p, i)}"
        return Info("social", B, f"{p.stem}{seg}", seg, p.industry, **base)


# 基层团委 kinds under a district: (kind, weight, subtree size range).
BASE_KINDS = [
    ("street", 16, 8, 45), ("town", 12, 8, 45), ("company", 30, 4, 70), ("school", 14, 6, 40),
    ("university", 3, 40, 400), ("gov", 12, 1, 15), ("hospital", 7, 6, 40), ("social", 6, 2, 10),
]
# Children of a 基层团委 (depth 5) and of its sub-committees (depth 6): (role, weight, size range).
KIND_ROLES = {
    "street": {5: [("branch", 65, 1, 1), ("gb", 35, 3, 8)], 6: [("branch", 1, 1, 1)]},
    "town": {5: [("branch", 60, 1, 1), ("gb", 30, 3, 7), ("sub", 10, 8, 24)],
             6: [("branch", 70, 1, 1), ("gb", 30, 3, 6)]},
    "company": {5: [("branch", 55, 1, 1), ("gb", 30, 3, 8), ("sub", 15, 8, 30)],
                6: [("branch", 65, 1, 1), ("gb", 35, 3, 6)]},
    "school": {5: [("branch", 50, 1, 1), ("gb", 50, 4, 13)], 6: [("branch", 1, 1, 1)]},
    "university": {5: [("branch", 15, 1, 1), ("sub", 85, 12, 60)],
                   6: [("branch", 40, 1, 1), ("gb", 60, 4, 12)]},
    "gov": {5: [("branch", 80, 1, 1), ("gb", 20, 3, 6)], 6: [("branch", 1, 1, 1)]},
    "hospital": {5: [("branch", 60, 1, 1), ("gb", 30, 3, 7), ("sub", 10, 8, 20)],
                 6: [("branch", 70, 1, 1), ("gb", 30, 3, 6)]},
    "social": {5: [("branch", 85, 1, 1), ("gb", 15, 3, 5)], 6: [("branch", 1, 1, 1)]},
}


class Command(BaseCommand):
    help = "组织树基准测试：建立（或复用）指定规模的组织树，测量懒加载子节点与名称搜索相对简单页面的耗时"

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=100_000, help="total orgs in the bench tree, root included")
        parser.add_argument("--samples", type=int, default=300, help="timed requests per endpoint")
        parser.add_argument("--warmup", type=int, default=30, help="untimed requests per endpoint first")
        parser.add_argument("--seed", type=int, default=20240501)
        parser.add_argument("--rebuild", action="store_true", help="drop the bench tree and build it again")

    def handle(self, *args, **opts):
        if opts["orgs"] < 100:
            raise CommandError("--orgs must be at least 100")
        if opts["samples"] < 20:
            raise CommandError("--samples must be at least 20")
        with bench_settings():
            self._run(opts)

    def _run(self, opts):
        orgs, seed = opts["orgs"], opts["seed"]
        vendor = connection.vendor
        self.stdout.write(f"bench_orgtree: {vendor} ({connection.settings_dict['NAME']}), orgs={orgs}, seed={seed}")

        root = self._existing_root()
        reused = False
        if root is not None:
            size = Organization.objects.filter(path__startswith=root.path).count()
            if size == orgs and not opts["rebuild"]:
                reused = True
                self.stdout.write(f"reusing bench tree {root.path} ({size} orgs); --rebuild to build it again")
            else:
                reason = "--rebuild" if size == orgs else f"it has {size} orgs, not {orgs}"
                self.stdout.write(f"dropping bench tree {root.path} ({reason})")
                self._drop(root)
                root = None
        build_s = None
        if root is None:
            started = time.perf_counter()
            root = self._build(orgs, random.Random(seed))
            self._analyze()
            build_s = time.perf_counter() - started
            self.stdout.write(f"built {orgs} orgs in {build_s:.1f} s")

        self._sanity(root, orgs, full=not reused)
        timings, hits = self._measure(root, opts, random.Random(seed + 1))

        stats = p50_p95_ms(timings)
        for k, (p50, p95) in stats.items():
            self.stdout.write(f"{k:<9} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  (n={len(timings[k])})")
        capped = sum(1 for h in hits if h >= 50)
        self.stdout.write(f"search hits per query: median {percentile(hits, 50)}, "
                          f"{capped}/{len(hits)} queries hit the 50-result limit, "
                          f"{sum(1 for h in hits if h == 0)} found nothing")
        trivial_p95 = stats["trivial"][1]
        children_ratio = round(stats["children"][1] / trivial_p95, 2)
        search_ratio = round(stats["search"][1] / trivial_p95, 2)
        result = {
            "bench": "orgtree",
            "db": vendor,
            "orgs": orgs,
            "reused": reused,
            "build_s": None if build_s is None else round(build_s, 1),
            "children_p50_ms": stats["children"][0],
            "children_p95_ms": stats["children"][1],
            "search_p50_ms": stats["search"][0],
            "search_p95_ms": stats["search"][1],
            "trivial_p50_ms": stats["trivial"][0],
            "trivial_p95_ms": trivial_p95,
            "children_ratio": children_ratio,
            "search_ratio": search_ratio,
            "ratio": max(children_ratio, search_ratio),
            "samples": opts["samples"],
            "seed": seed,
        }
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    # ---- build -------------------------------------------------------------------------------
    def _existing_root(self):
        return Organization.objects.filter(depth=1, full_name=BENCH_ROOT_NAME, is_system=False).first()

    def _drop(self, root):
        """Users, then orgs, by one path range each. Falls back to the ORM if anything else refers to them."""
        started = time.perf_counter()
        org_t = connection.ops.quote_name(Organization._meta.db_table)
        user_t = connection.ops.quote_name(User._meta.db_table)
        prefix = root.path + "%"
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {user_t} WHERE organization_id IN "
                               f"(SELECT id FROM {org_t} WHERE path LIKE %s)", [prefix])
                cursor.execute(f"DELETE FROM {org_t} WHERE path LIKE %s", [prefix])
        except IntegrityError:
            # Audit rows, members, … point at bench orgs: let the ORM cascade (slow, but correct).
            self.stdout.write("other rows refer to the bench tree: deleting through the ORM")
            with transaction.atomic():
                User.objects.filter(organization__path__startswith=root.path).delete()
                Organization.objects.filter(path__startswith=root.path).delete()
        self.stdout.write(f"dropped in {time.perf_counter() - started:.1f} s")

    @transaction.atomic
    def _build(self, total, rng):
        last_root = Organization.get_last_root_node()
        root_path = Organization._get_path(None, 1, last_root._get_lastpos_in_path() + 1 if last_root else 1)
        root_info = Info("root", L, "基准测试省", BENCH_ROOT_SHORT.removesuffix("委"), area="020", city="广州")
        shape = TreeShape(rng, timezone.localdate().year)
        batch, done, started = [], 0, time.perf_counter()
        for info, path, depth, numchild in shape.nodes(root_info, total, root_path):
            batch.append(self._org(rng, info, path, depth, numchild))
            if len(batch) >= BATCH:
                self._flush(batch)
                done += len(batch)
                batch = []
                if done % 25_000 == 0:
                    self.stdout.write(f"  {done}/{total} orgs ({time.perf_counter() - started:.1f} s)")
        if batch:
            self._flush(batch)
        root = Organization.objects.get(path=root_path)
        assert root.full_name == BENCH_ROOT_NAME
        User.objects.filter(organization=root, kind=User.Kind.ORG).update(must_change_password=False)
        return root

    def _org(self, rng, info, path, depth, numchild):
        org_type = info.org_type
        org = Organization(
            path=path, depth=depth, numchild=numchild, org_type=org_type,
            full_name=info.full_name, short_name=info.short_name,
            phone=f"{info.ctx['area']}-{rng.randrange(2 * 10**7, 10**8)}",
            email=f"{rng.choice(['tw', 'gqt', 'youth'])}{rng.randrange(10**4, 10**8)}@{rng.choice(EMAIL_DOMAINS)}",
            industry=None if org_type == L else info.industry,
            secretary_name=rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            is_school=bool(info.school_code), school_code=info.school_code,
            graduation_year=info.grad_year if org_type == B and info.school_code else None,
        )
        if org_type != B:
            big = org_type == L
            org.admin_quota = rng.randint(3, 12) if big else rng.randint(0, 2)
            org.admin_staffed = rng.randint(0, org.admin_quota)
            org.career_quota = rng.randint(0, 4) if big else 0
            org.career_staffed = rng.randint(0, org.career_quota)
        return org

    def _flush(self, batch):
        """Issue codes, insert the orgs, then their org accounts (unusable passwords)."""
        codes = IssuedOrgCode.objects.bulk_create([IssuedOrgCode() for _ in batch])
        for org, issued in zip(batch, codes, strict=True):
            org.code = str(IssuedOrgCode.CODE_BASE + issued.pk)
        Organization.objects.bulk_create(batch)
        if batch[0].pk is None:  # a backend that does not return ids from bulk inserts
            ids = dict(Organization.objects.filter(code__in=[o.code for o in batch]).values_list("code", "pk"))
            for org in batch:
                org.pk = ids[org.code]
        User.objects.bulk_create([
            User(username=org.code, kind=User.Kind.ORG, organization_id=org.pk, must_change_password=True,
                 first_name=org.short_name[:150], password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30))
            for org in batch
        ])

    def _analyze(self):
        """What autovacuum would do soon after a bulk load; without it the planner guesses."""
        settle(Organization, User, IssuedOrgCode)

    def _sanity(self, root, orgs, full):
        started = time.perf_counter()
        qs = Organization.objects.filter(path__startswith=root.path).order_by()
        count = qs.count()
        root_children = qs.filter(depth=root.depth + 1).count()
        accounts = User.objects.filter(organization__path__startswith=root.path, kind=User.Kind.ORG).count()
        by_depth = dict(qs.values_list("depth").annotate(n=Count("id")).order_by("depth"))
        by_type = {OrgType(t).label: n
                   for t, n in qs.values_list("org_type").annotate(n=Count("id")).order_by("org_type")}
        self.stdout.write(f"sanity: {count} orgs, {accounts} org accounts, root numchild {root.numchild} "
                          f"(children {root_children})")
        self.stdout.write(f"  by depth: {by_depth}")
        self.stdout.write(f"  by type: {by_type}")
        problems = []
        if count != orgs or accounts != orgs:
            problems.append(f"expected {orgs} orgs and accounts")
        if root.numchild != root_children:
            problems.append("root numchild is wrong")
        if full:
            # Every node's numchild against a count of its children: one GROUP BY, no treebeard walk.
            counted = dict(
                qs.filter(depth__gt=root.depth)
                .annotate(parent=Substr("path", 1, (F("depth") - 1) * STEP))
                .values_list("parent").annotate(n=Count("id"))
            )
            wrong = sum(1 for path, n in qs.values_list("path", "numchild").iterator(chunk_size=10_000)
                        if counted.get(path, 0) != n)
            self.stdout.write(f"  numchild mismatches: {wrong}")
            if wrong:
                problems.append(f"{wrong} nodes with a wrong numchild")
        if problems:
            raise CommandError("bench tree is inconsistent: " + "; ".join(problems))
        self.stdout.write(f"  checked in {time.perf_counter() - started:.2f} s")

    # ---- measure -----------------------------------------------------------------------------
    def _measure(self, root, opts, rng):
        client = org_client(root)

        # Children: non-leaf nodes, a random depth first so the few big upper nodes are timed too.
        by_depth = {}
        for depth, pk in (Organization.objects.filter(path__startswith=root.path, numchild__gt=0)
                          .order_by().values_list("depth", "pk")):
            by_depth.setdefault(depth, []).append(pk)
        depths = sorted(by_depth)
        pool = search_pool()
        categories = sorted(pool)

        def query():
            word = rng.choice(pool[rng.choice(categories)])
            return word[: min(len(word), rng.choice([3, 4]))]

        n = opts["warmup"] + opts["samples"]
        plan = {
            "trivial": [(client, reverse("portal:ping"), {})] * n,
            "children": [(client, reverse("orgtree:tree_children"),
                          {"node": rng.choice(by_depth[rng.choice(depths)])}) for _ in range(n)],
            "search": [(client, reverse("orgtree:tree_search"), {"q": query()}) for _ in range(n)],
        }
        hits = []

        def count_hits(kind, path, params, response, timed):
            if timed and kind == "search":
                hits.append(len(response.json()["results"]))

        timings = round_robin(plan, opts["warmup"], inspect=count_hits)
        client.logout()
        return timings, hits
