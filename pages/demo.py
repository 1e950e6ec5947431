"""Demo content: a first set of help articles (from the product manual's own sections, in our own
words), a few announcements, home articles and publicity-editor logins. Idempotent.

Called at the end of ``seed_demo``.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from home_articles.models import ArticleKind, HomeArticle
from home_articles.permissions import EDITOR_GROUP as ARTICLE_EDITORS
from home_articles.images import org_collection
from home_articles.permissions import editor_actor
from home_articles.models import LocalPublishingRight
from home_articles.services import article_create, local_right_set
from orgtree.models import Organization
from portal.actors import STAFF, Actor, actor_for_user
from portal.models import User
from portal.passwords import generate_password

from .models import AnnouncementIndexPage, AnnouncementPage, Audience, HelpArticlePage, HelpCenterPage

CONTENT_EDITORS = "公告与帮助编辑"

O, C, M = Audience.ORG, Audience.CADRE, Audience.MEMBER


def _p(*paragraphs):
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _ul(*items):
    return "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


# (slug, audience, title, summary, body)
HELP_ARTICLES = [
    ("member-registration", M, "如何报到", "扫码报到、填写资料、等待团支部审核",
     _p("团员报到的流程：扫描团员报到二维码 → 按提示登录 → 填写个人资料 → 提交 → 所在团支部审核 → 报到完成。")
     + _ul("报到前，请先向团支部书记确认本支部的全称或组织ID，避免报到到错误的团支部。",
           "2017年及以后入团的团员，必须填写12位团员编号（可在入团志愿书中找到）。",
           "发现报到的团支部有误时，在审核通过前可以自行撤回报到，再重新报到。",
           "报到后请不要取消关注“12355青年之声”公众号，否则将收不到个人团务提醒。")),
    ("member-profile", M, "修改个人信息", "报到通过后可修改的资料与限制",
     _p("报到申请经团支部审核通过后，可以随时修改个人信息。姓名、身份证号码、入团年月和所在团支部不能自行修改；"
        "收入、政治面貌、团干部信息等修改需经团支部审核，审核通过前仍按原资料执行。")
     + _p("所在团支部不属于团广东省委管辖，或已满28周岁离团的，不能修改团员信息。")),
    ("cadre-join", C, "团干如何入驻企业号", "录入信息后扫码入驻“广东共青团”企业号",
     _p("团干部的个人信息被所在团组织准确录入系统后，扫描广东共青团微信企业号二维码，填写个人职务即可入驻。"
        "信息尚未录入的，请联系所在团组织在管理后台录入后再扫码。")
     + _ul("入驻的关键是手机号：请确保系统中录入的手机号是本人正在使用的号码。",
           "企业号不同于微信公众号，入驻后可在“微信通讯录 → 我的企业 → 广东共青团”中找到。",
           "首次进入的组织运营者还需要为本组织设置企业号代称（不超过16个字）。")),
    ("cadre-operations", C, "企业号团务操作", "普通团干查看，运营者可审核",
     _p("在企业号中可以便捷地查看和办理团务：普通团干只能查看团组织、团干、团员等信息，身份证号码隐去出生日期；"
        "担任团支部运营者的团干还可以在“团员审核”中审核本支部团员的报到和资料修改；运营者还可以在“转接审核”中"
        "审核轮到本组织的组织关系转接申请，团支部的运营者可以代本支部团员发起转接。")),
    ("cadre-assistant", C, "即时通讯与企业小助手", "点对点沟通、建专项工作群、关键词查询资料",
     _p("即时通讯可以与全省任一团组织的团干点对点交流，也可以跨组织层级建立专项工作群。"
        "“企业小助手”接收智慧团建系统发布的一手消息，输入关键词即可获取系统使用的疑问解答和相关资料，"
        "例如输入“转接”“团费”“报到”。")),
    ("member-transfer", M, "组织关系转接与申诉", "申请转接、查看进度、撤回与申诉",
     _p("团员由一个团支部转到另一个团支部，须办理组织关系转接：团员端首页 → 组织关系转接 → 申请组织关系转接，"
        "准确填写转入团支部全称或组织ID、学习/工作去向和转出原因。申请依次由转出团支部、其上级、转入团支部、"
        "其上级审核，进度可在“组织关系转接记录”和“我的消息”中查看。")
     + _ul("团支部代为发起的转接，请在微信消息中点击确认，确认后才会流转到上级组织审核（中小学组织除外）。",
           "在转入团支部的上级审核通过前，发起人可以撤回后重新发起；团支部代为发起的，只能由该团支部撤回。",
           "须交清当月及所有历史欠交团费，方可进行组织关系转接。",
           "转至省外或非共青团广东省委所辖的团组织的，选择转入省份并填写转入团组织；转出团支部的上级审核通过后"
           "即为已转出，之后本系统中的团员信息不能再修改。",
           "被转入团组织退回的，可在30个自然日内对最近一次退回提出申诉（组织关系转接记录 → 最近一次被退回的申请 → "
           "我要申诉），由转出、转入团组织的共同上级审核；申诉期间不能再次发起转接。")),
    ("org-transfer", O, "组织关系转接审核与申诉处理", "发起、审核、自动通过、撤回与申诉",
     _p("团支部可以代本支部团员发起转出申请（管理后台 → 组织关系转接 → 发起转接，可一次选择多名团员），"
        "审核本支部团员的转出申请和申请转入本支部的团员；团支部的直接上级审核下级各支部团员的转入、转出申请。"
        "待审核的申请在“待审核”中可以逐条或批量同意、退回（退回须填写原因）。")
     + _ul("转入团支部超过30个自然日未审核、转入团支部的上级超过72小时未审核的，系统自动审核通过，记录上会显示截止时间。",
           "转出、转入团支部的直接上级是同一个组织的，只审核一次。",
           "团支部代为发起的转接，在转入团支部的上级审核通过前可由该团支部（或其运营者）撤回。",
           "申诉由转出、转入团组织的共同上级在“组织关系转接 → 申诉处理”中审核：通过则团员直接转入，拒绝须说明理由。",
           "转接记录可按状态和申请日期筛选，并导出Excel（身份证号码隐去出生日期）。")),
    ("member-dues", M, "团费交纳", "按月在线交纳、帮TA交费、自愿多交",
     _p("系统每月1日按团员经团支部审核的收入、政治面貌和所在团支部生成当月团费账单：学生0.2元/月，农民0.5元/月，"
        "在职团员按税后月收入3至20元/月；保留团籍的中共党员、预备党员不交纳团费。资料修改审核通过后，次月起按新的信息计算。")
     + _ul("在“团费交纳”中可以一次交清全部欠费，也可以勾选月份交纳，通过微信支付完成。",
           "“帮TA交费”可以为本支部其他欠交团费的团员代交，已交记录中会显示代交人。",
           "“自愿多交”与每月团费无关，不能抵扣团费；单次在线自愿多交不超过1000元。",
           "超过3个月未交团费会收到提醒；6个月及以上未交的，在线交纳暂停，请线下联系所在团支部。",
           "组织关系转出本省后，不能在本系统交纳团费。")),
    ("org-dues", O, "团费查询与团费留存", "团费查询、线下交纳登记、留存比例设置",
     _p("在“团费管理 → 团费查询”中选择月份，可以查看本组织及每个直属下级的应交、已交、未交团员数和交纳金额，"
        "点击“查看交费团员明细”查看每名团员的交纳状态、累计未交团费和自愿交费金额，并可导出（每次不超过10000行）。"
        "账单属于生成当日团员所在的团支部，因转接跨月产生的欠交团费由转出前的团支部负责催收。")
     + _ul("团员欠交6个月及以上时在线交纳暂停，团支部在团员的交费记录中登记线下交纳（须填写备注，记录登记人）。",
           "上级组织在“团费留存设置”中为直属下级设置留存权限、留存比例（0-100的整数）和子账户是否有效，也可以导出后修改再导入；"
           "从团省委到任一团支部的路径上，各级留存比例之和不能超过100%。",
           "本级团费留存金额 = 本级当月实收团费 × 本级留存比例 + 有留存权限但子账户无效的直属下级当月实收团费 × 该下级留存比例。",
           "团费档位由团省委在“交费设置”中维护，修改自下月账单起生效。")),
    ("org-create", O, "建立下级团组织", "逐级建立直接下级组织并发放登录资料",
     _p("每级团组织在“组织管理”中建立其直接下一级团组织，系统为新组织生成账号和一次性密码，逐级往下建，"
        "直到组织树末端的团支部。")
     + _ul("组织树的末端必须是“团支部”。",
           "组织类型要选择准确：团支部错选为其他类型，团员报到时将搜索不到该支部。",
           "学校组织须填写10位学校标识码，学校团支部还需选择毕业年份。",
           "上级团组织可以重置直接下级团组织管理员的登录密码。")),
    ("org-review", O, "团员报到与资料修改审核", "团支部审核本支部团员的报到和资料修改",
     _p("团员提交报到或资料修改后，所在团支部会收到待办提醒。在“团员管理 → 我的团员”中可以审核报到和资料修改，"
        "对有误的申请退回并说明理由。请在48小时内处理。")
     + _ul("开学等报到集中的时候，可筛选“报到待审核”，勾选团员后点击“批量审核通过”，每名团员的审核结果逐条列出；"
           "审核规则与逐个审核相同，实名校验中或未通过的团员不会被通过。",
           "“我的团员”按身份证号查询时，身份证号不会出现在网页地址中。")),
    ("org-status", O, "团籍管理", "离团、脱团、退团、停止团籍、开除团籍与恢复团籍",
     _p("凡满28周岁离团、自行脱团、自愿退团、停止团籍、开除团籍的，都需要在线下履行完相应程序后，再在系统中备案："
        "团支部在团员详情中点击“离脱退团/停止团籍/开除团籍”，选择类型、填写申请说明并上传证明材料，"
        "由团支部的直接上级在“团籍变更/删除审核”中审核。")
     + _ul("除满28周岁离团外，申请说明不少于30字；证明材料为图片或PDF文件，只有审核组织可以查看。",
           "每天凌晨，系统将年满28周岁、未担任团内职务且未欠交团费的团员自动设为“满28周岁离团”；"
           "离团前30天，系统会提前通知团员本人和所在团支部。",
           "确有特殊情况的，可以在“满28周岁已离团”或“已脱/退团、停止团籍及开除团籍”中为团员恢复团籍，"
           "并选择恢复到的团支部。")),
    ("org-home-articles", O, "首页文章发布", "精华文章与本地文章",
     _p("团员移动端首页展示“精华”和“本地”文章。精华文章由团省委发布；本地文章由获得发布权限的团组织"
        "（默认为团省委的直属下级组织）在“其他功能 → 首页文章管理”中发布，本组织下的团员都能看到。")
     + _p("团省委可以在“本地文章发布权限”中为其他组织开通或收回本地文章的发布权限，"
          "并在“CMS宣传干部账号”中为宣传干部开设内容管理系统的登录账号。")),
    ("org-cadres", O, "团干信息录入与设置运营者", "录入范围、运营者权限与操作记录",
     _p("请使用组织管理员账号录入本级团组织团干部的基本信息。领导机关、基层团委和团工委录入委员及机构工作人员，"
        "团总支录入总支委员，团支部只需录入支部书记。")
     + _p("每个组织须设置1名及以上运营者。运营者用手机号登录管理后台，拥有与组织管理员相同的权限，"
          "所有操作都会记入操作日志。一名团干只能在一个组织担任运营者。")),
    ("org-awards", O, "奖惩录入与奖励审核", "两步录入奖惩，审核团员的奖励申报",
     _p("奖惩录入分两步：第一步在“奖惩管理 → 奖惩录入”中搜索添加、删减或用Excel批量导入奖/惩团员名单"
        "（按模板填写身份证号码，有一行不正确则整个文件不导入，并逐行列出原因）；第二步录入奖励或处罚。")
     + _ul("组织录入的奖励须为团组织授予或认证的团内奖励，录入后默认通过并记入团员成长档案；录入组织可以修改或删除。",
           "处罚须上传处罚证明，解除时间必须晚于处罚时间和今天，处罚期内团员本人可以看到。",
           "开除团籍由团员所在团支部录入，作为开除团籍申请由其直接上级组织审核。",
           "团外奖励由团员所在团支部审核，只审核不作真实性认证；团内奖励补录由授奖组织审核，"
           "如非本组织参与授予的奖励，请点击“非本组织授予，退回”。")),
    ("org-evaluation", O, "教育评议与年度注册", "团支部录入评议结果，团员确认后完成年度注册",
     _p("团支部每年完成团员教育评议后，在“奖惩管理 → 教育评议”中为本支部团员逐一选择优秀、合格、基本合格或不合格，"
        "可以多次保存修改；评为优秀的不超过参加评议团员的30%，党员不参加评议。")
     + _ul("点击“提交并开启年度注册”后评议结果不能再修改，系统通过站内消息和微信通知本支部团员（含保留团籍的团干部和党员）进行年度注册。",
           "评议不合格的团员暂缓注册，列在“评议不合格团员（暂缓注册）”中；经帮助教育再次评议合格后，团支部在此解除暂缓注册。",
           "“年度注册进度”按组织显示已注册、暂缓注册和未注册人数，可一键提醒未注册的团员（每人每天最多提醒一次）。")),
    ("member-awards", M, "奖惩信息与年度注册", "团内奖励补录、团外奖励录入、年度注册和成长档案",
     _p("在“认证资料 → 奖惩信息”中可以查看自己的奖励和处罚期内的处罚，并申报奖励：")
     + _ul("团内奖励补录：获奖超过一年而组织仍未录入的团内奖励，选择授奖组织中的团内组织审核；",
           "团外奖励录入：非团组织授予的奖励，由所在团支部审核，不作真实性认证；",
           "待审核或被退回的申报可以编辑或删除，审核通过的奖励进入个人成长档案。")
     + _p("团支部录入教育评议结果后，您会收到年度注册提醒：进入“年度注册”，核对个人信息并确认评议结果即可完成注册。"
          "评议不合格的暂缓注册，经再次评议合格后再注册。")),
    ("org-statistics", O, "数据统计与月度统计报告", "本级及下级的团务数据、分类统计、下载与月度统计报告",
     _p("在“组织管理 → 数据统计”中查看本组织（本级及所有下级）和各直属下级组织的数据，数据每15分钟更新一次，"
        "页面显示数据更新时间，可查询最近6个月。")
     + _ul("点击不为0的数字可查看明细：空心团委、空心团支部（团员少于3人）、无团干团支部、组织、团员、团干和转接名单；",
           "及时业务响应率：本月需响应的报到、资料修改、组织关系转接和团员奖励审核中，收到后48小时内完成的比例，每月重新计算；",
           "“查看分类统计”按行业类别和组织类型统计，并以饼图显示团组织行业类别、团员学历、团员收入档次和团干部性质；",
           "表格和明细都可以下载为Excel，超过1万条的转为后台导出，完成后通过站内信通知；",
           "“下载月度统计报告（PDF）”含本组织当月数据和统计图；“奖惩管理 → 成长档案打包下载”按年度打包下载团支部全部团员的成长档案。")),
    ("member-archives", M, "电子团员证与成长档案下载", "电子团员证、奖励记录、成长档案和组织关系介绍信（PDF）",
     _p("报到审核通过后，可以下载以下PDF文件（身份证号码部分隐藏）：")
     + _ul("电子团员证：在“我的资料”中下载，需先填写入团时所在单位；",
           "奖励记录：在“我的资料”或“奖惩信息”中下载全部记录或近6个月的记录；",
           "成长档案：在“成长档案”中下载，含个人资料、奖励、处罚期内的处罚、评议和注册情况、组织关系转接记录；",
           "组织关系介绍信：组织关系转接成功后，在该转接记录中下载。")),
]

ANNOUNCEMENTS = [
    ("manual-release", "《广东智慧团建系统产品手册》（2019年9月版）发布", datetime.date(2019, 9, 1), "团省委",
     _p("产品手册介绍了管理后台、团干部移动端和团员移动端的主要功能，可在帮助中心查阅。"
        "系统使用问题请拨打客服热线12355（按3号键）或发送邮件至 tuan@12355.net。")),
]

# (title, url, kind, publisher short name, pinned)
HOME_ARTICLES = [
    ("青春心向党 建功新时代——全省团员主题教育活动启动", "https://www.12355.net/", ArticleKind.FEATURED, "团广东省委", True),
    ("智慧团建团员报到操作指引", "https://www.12355.net/", ArticleKind.FEATURED, "团广东省委", False),
    ("广州青年志愿者招募：社区服务周", "https://www.gdzyz.cn/", ArticleKind.LOCAL, "团广州市委", False),
    ("中山大学团委：新学期团组织关系转接须知", "https://www.12355.net/", ArticleKind.LOCAL, "中山大学团委", False),
]

GRANTED_DISTRICT = "团天河区委"

# (username, org short name, groups)
EDITORS = [
    ("xc_gd", "团广东省委", [ARTICLE_EDITORS, CONTENT_EDITORS]),
    ("xc_gz", "团广州市委", [ARTICLE_EDITORS]),
]


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def seed_content(*, stdout=None, logins_file=None):
    """Seed the content, then append the editors' fresh logins to var/demo-logins.txt (as seed_demo does)."""
    with transaction.atomic():
        logins = _seed()
    lines = ["CMS 宣传干部账号（登录 /cms/，每次运行重新生成随机密码）："]
    lines += [f"  {name:<16} 账号 {username}  密码 {password}" for name, username, password in logins]
    text = "\n".join(lines)
    if stdout is not None:
        stdout.write(text)
    path = logins_file or settings.BASE_DIR / "var" / "demo-logins.txt"
    path.parent.mkdir(exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(text + "\n")
    return logins


def _seed():
    center = HelpCenterPage.objects.first()
    index = AnnouncementIndexPage.objects.first()
    if center is None or index is None:
        raise RuntimeError("页面树不存在，请先运行 migrate")
    existing = set(HelpArticlePage.objects.child_of(center).values_list("slug", flat=True))
    for slug, audience, title, summary, body in HELP_ARTICLES:
        if slug not in existing:
            _publish(center, HelpArticlePage(title=title, slug=slug, audience=audience, summary=summary, body=body))
    existing = set(AnnouncementPage.objects.child_of(index).values_list("slug", flat=True))
    for slug, title, date, source, body in ANNOUNCEMENTS:
        if slug not in existing:
            _publish(index, AnnouncementPage(title=title, slug=slug, date=date, source=source, body=body))

    logins = []
    for username, short_name, groups in EDITORS:
        org = Organization.objects.filter(short_name=short_name).order_by("depth").first()
        if org is None:
            continue
        user = User.objects.filter(username=username).first() or User(username=username)
        user.kind, user.organization = User.Kind.STAFF, org
        user.first_name = f"{short_name}宣传干部"
        user.must_change_password = False
        password = generate_password()
        user.set_password(password)
        user.save()
        user.groups.set(Group.objects.filter(name__in=groups))
        org_collection(org)
        logins.append((user.first_name, username, password))

    # A district granted the 本地 right by the provincial account (the cities have it by default), so that
    # its org account shows 其他功能 › 首页文章管理 on /manage/.
    district = Organization.objects.filter(short_name=GRANTED_DISTRICT).first()
    root_account = User.objects.filter(organization__depth=1, kind=User.Kind.ORG).first()
    if district is not None and root_account is not None \
            and not LocalPublishingRight.objects.filter(organization=district).exists():
        local_right_set(actor=actor_for_user(root_account), org=district, allowed=True, note="演示：区级授权")

    now = timezone.now()
    for i, (title, url, kind, short_name, pinned) in enumerate(HOME_ARTICLES):
        org = Organization.objects.filter(short_name=short_name).order_by("depth").first()
        if org is None or HomeArticle.objects.filter(publisher=org, title=title).exists():
            continue
        editor = User.objects.filter(kind=User.Kind.STAFF, organization=org).first()
        article = HomeArticle(title=title, link_url=url, kind=kind, pinned=pinned,
                              published_at=now - datetime.timedelta(days=i))
        article_create(actor=editor_actor(editor) if editor else _org_actor(org), article=article)
    return logins


def _org_actor(org):
    return Actor(kind=STAFF, org=org, label=f"{org.full_name}（演示数据）")
