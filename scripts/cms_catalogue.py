"""Writes locale/zh_Hans/LC_MESSAGES/django{,js}.po: the CMS strings that Wagtail's zh_Hans catalogues lack.

Wagtail 7.4's zh_Hans admin catalogue covers about 650 of its 950 strings; the ones our CMS users meet
(login, dashboard, snippet listings and forms, images, the page explorer, the account page) and that are
missing are given here. LOCALE_PATHS comes first in Django's lookup, so these fill the gaps without
touching the installed package. Run ``python scripts/cms_catalogue.py`` after editing the list below; it
also compiles the .mo (committed, so no build step is needed).
"""

import pathlib
import subprocess

# (msgid, msgid_plural or None, translation)
ENTRIES = [
    # wagtailadmin/skeleton.html <noscript>
    ('JavaScript is required to use Wagtail, but it is currently disabled.<br /> Here are the '
     '<a href="https://www.enable-javascript.com/" target="_blank" rel="noreferrer">instructions how to enable '
     'JavaScript in your web browser</a>.', None,
     '使用内容管理系统需要启用 JavaScript，但当前浏览器已禁用。<br />请参阅'
     '<a href="https://www.enable-javascript.com/" target="_blank" rel="noreferrer">浏览器启用 JavaScript 的方法</a>。'),
    # Dashboard: site summary, search, account summary
    ('%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
     '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
     '%(total)s 个页面<span class="w-sr-only">（%(site_name)s）</span>'),
    ('%(total)s Image <span class="w-sr-only">created in %(site_name)s</span>',
     '%(total)s Images <span class="w-sr-only">created in %(site_name)s</span>',
     '%(total)s 张图片<span class="w-sr-only">（%(site_name)s）</span>'),
    ('%(total)s Document <span class="w-sr-only">created in %(site_name)s</span>',
     '%(total)s Documents <span class="w-sr-only">created in %(site_name)s</span>',
     '%(total)s 个文档<span class="w-sr-only">（%(site_name)s）</span>'),
    ("Search all pages…", None, "搜索所有页面…"),
    ("Edit account avatar", None, "修改头像"),
    ("Shortcuts", None, "快捷键"),
    ("Go to the first error", None, "转到第一处错误"),
    # Snippet (首页文章, 其他服务链接) listings and forms
    ("New: %(model_name)s", None, "新建：%(model_name)s"),
    ("To be created by %(user)s", None, "将由 %(user)s 创建"),
    ("This %(model_name)s is referenced %(usage_count)s time.",
     "This %(model_name)s is referenced %(usage_count)s times.",
     "该%(model_name)s被引用 %(usage_count)s 次。"),
    ("Sort by '%(label)s' in ascending order.", None, "按“%(label)s”升序排列"),
    ("Sort by '%(label)s' in descending order.", None, "按“%(label)s”降序排列"),
    ("Actions (footer)", None, "操作（页脚）"),
    # Page explorer (公告、帮助中心)
    ("Exploring", None, "浏览"),
    ("Date updated", None, "更新日期"),
    ("Edited by", None, "编辑人"),
    ("Has child pages", None, "有子页面"),
    ("Page type", None, "页面类型"),
    ("Any", None, "不限"),
    ("None", None, "无"),
    ("Locking: ", None, "锁定："),
    ("Anyone can edit this %(model_name)s", None, "任何人都可以编辑此%(model_name)s"),
    ("Anyone can edit this %(model_name)s – lock it to prevent others from editing", None,
     "任何人都可以编辑此%(model_name)s——锁定后他人不能编辑"),
    ("Referenced %(count)s time", "Referenced %(count)s times", "被引用 %(count)s 次"),
    ("Page types usage", None, "页面类型使用情况"),
    # Page editor (公告、帮助中心): autosave, the checks panel and its accessibility rules, history
    ("Saved", None, "已保存"),
    ("Autosave is paused", None, "自动保存已暂停"),
    ("Toggle checks", None, "显示/隐藏检查"),
    ("Checks", None, "检查"),
    ("Correct the validation errors to resume preview (saving will highlight errors)", None,
     "请改正填写错误后继续预览（保存时会标出错误）"),
    ("Show issue", None, "查看问题"),
    ("Content metrics", None, "内容统计"),
    ("Words", None, "字数"),
    ("Reading time", None, "阅读时间"),
    ("Readability", None, "可读性"),
    ("This data explained", None, "数据说明"),
    ("Button text is empty", None, "按钮文字为空"),
    ("Empty heading found", None, "存在空标题"),
    ("Table header text is empty", None, "表头文字为空"),
    ("Empty frame title found", None, "嵌入框架缺少标题"),
    ("Incorrect heading hierarchy", None, "标题层级不正确"),
    ("Input button text is empty", None, "输入按钮文字为空"),
    ("Link text is empty", None, "链接文字为空"),
    ("Misusing paragraphs as headings", None, "把段落当作标题使用"),
    ("Image alt text has inappropriate pattern", None, "图片替代文字不恰当"),
    ("Meta description is empty", None, "页面描述为空"),
    ("Use meaningful text for screen reader users", None, "请为读屏用户提供有意义的文字"),
    ("Use a meaningful title for screen reader users", None, "请为读屏用户提供有意义的标题"),
    ("Avoid skipping levels", None, "不要跳过标题层级"),
    ("Use proper heading tags", None, "请使用标题格式"),
    ("Use meaningful text", None, "请使用有意义的文字"),
    ("Add a concise description for search engines", None, "请为搜索引擎填写简短描述"),
    ("Is commenting action", None, "是否为评论操作"),
    # Images
    ("Oldest", None, "最早"),
    ("Usage count: (low to high)", None, "使用次数（从低到高）"),
    ("Usage count: (high to low)", None, "使用次数（从高到低）"),
    ("Grid layout", None, "网格视图"),
    ("List layout", None, "列表视图"),
    # Account page (theme preferences)
    ("Theme preferences", None, "主题设置"),
    ("admin theme", None, "界面主题"),
    ("contrast", None, "对比度"),
    ("More contrast", None, "高对比度"),
    ("density", None, "界面密度"),
    ("Snug", None, "紧凑"),
    ("System default", None, "跟随系统"),
    ("Default", None, "默认"),
    ("Enable custom keyboard shortcuts specific to Wagtail.", None, "启用内容管理系统的键盘快捷键。"),
]

# The same for the admin's JavaScript (the sidebar, autosave, the rich-text editor, content checks):
# the djangojs domain, served by Wagtail's JavaScript catalogue view.
JS_ENTRIES = [
    ("(%(number)s new items in this menu)", None, "（此菜单有 %(number)s 个新项目）"),
    ("(1 new item in this menu)", None, "（此菜单有 1 个新项目）"),
    ("(New)", None, "（新）"),
    ("%(num)s error", "%(num)s errors", "%(num)s 处错误"),
    ("%(num)s min", "%(num)s mins", "%(num)s 分钟"),
    ("%(num)s pixel", "%(num)s pixels", "%(num)s 像素"),
    ("%(time_zone_option)s: %(localized_time_zone_label)s", None, "%(time_zone_option)s：%(localized_time_zone_label)s"),
    ("A network error occurred.", None, "网络错误。"),
    ("A server error occurred.", None, "服务器错误。"),
    ("Autosave in progress…", None, "正在自动保存…"),
    ("Blocks", None, "内容块"),
    ("Changes have been autosaved.", None, "修改已自动保存。"),
    ("Complex", None, "较难"),
    ("Error while sending preview data.", None, "发送预览数据时出错。"),
    ("Fair", None, "一般"),
    ("Good", None, "良好"),
    ("Insert a block", None, "插入内容块"),
    ("Split block", None, "拆分内容块"),
    ("Write something or type ‘/’ to insert a block", None, "输入内容，或输入“/”插入内容块"),
]

HEADER = '''# The CMS strings Wagtail's zh_Hans catalogue lacks (generated by scripts/cms_catalogue.py; edit there).
msgid ""
msgstr ""
"Project-Id-Version: zhihui-tuanjian\\n"
"PO-Revision-Date: 2026-12-03 00:00+0800\\n"
"Last-Translator: 智慧团建\\n"
"Language-Team: zh_Hans\\n"
"MIME-Version: 1.0\\n"
"Content-Transfer-Encoding: 8bit\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Language: zh_Hans\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
'''


def _q(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render(entries=None):
    parts = [HEADER]
    for msgid, plural, translation in ENTRIES if entries is None else entries:
        if plural is None:
            parts.append(f"msgid {_q(msgid)}\nmsgstr {_q(translation)}\n")
        else:
            parts.append(f"msgid {_q(msgid)}\nmsgid_plural {_q(plural)}\nmsgstr[0] {_q(translation)}\n")
    return "\n".join(parts)


def main():
    base = pathlib.Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"
    base.mkdir(parents=True, exist_ok=True)
    for domain, entries in (("django", ENTRIES), ("djangojs", JS_ENTRIES)):
        po, mo = base / f"{domain}.po", base / f"{domain}.mo"
        po.write_text(render(entries), encoding="utf-8")
        subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)


if __name__ == "__main__":
    main()
