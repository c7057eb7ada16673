"""Regular expressions for the furniture of Chinese government documents (文号, dates, titles, signatures)."""

from __future__ import annotations

import re

NUMBER = re.compile(r"([\u4e00-\u9fff]{1,6})[〔\[［]\s*(\d{4})\s*[〕\]］]\s*(\d{1,4})\s*号")
NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}[〕\]］)）]\d+号$")
DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# a date in Chinese numerals, as a 落款 writes it: 二〇二二年三月十四日 (〇 also typed ○, O or 零)
DATE_HANZI = re.compile(
    r"([〇○OＯ零一二三四五六七八九]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日"
)
DATE_LINE = re.compile(
    r"^(?:[\u4e00-\u9fff]{0,20}\s*)?(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    r"|[〇○OＯ零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,3}\s*月\s*[一二三四五六七八九十]{1,3}\s*日)$"
)
# a page's or a document's own date line: 发布时间：2022-03-14 08:25:55, 成文日期：2022年03月10日
# (a page's info line may name its source first: "来源：惠州市人力资源和社会保障局 发布时间：2022-03-14")
PUBLISHED = re.compile(
    r"(?:(?:来源|信息来源|文章来源|作者|发布机构|发布单位|发文机关)\s*[:：][^:：]{0,40}?)?"
    r"(?:发布|印发|成文|公开|公布|发文)(?:日期|时间)\s*[:：]\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})"
)
# labelled lines naming who issued a document: 发文机关：, 发布单位：, 来源：, 发布机构：, 落款：
ISSUER_LABEL = re.compile(r"(发文机关|发文单位|发布单位|发布机构|制发机关|来源|信息来源|文章来源|落款)\s*[:：]\s*")
# the end of such a value: the next label of the same info line
ISSUER_VALUE_END = re.compile(
    r"(?:发布时间|发布日期|发文日期|成文日期|浏览次数|浏览量|点击数|点击量|访问量|阅读数|阅读量|作者|编辑|责任编辑|字体|字号|"
    r"分享|打印|关闭|来源|索引号|主题分类|发文字号|文号|【|\[|\||\s)"
)
# a government body's name as it ends (the shortest such name at the start of a line is one body)
ORGANISATION = re.compile(
    r"^([\u4e00-\u9fff（）()]{2,30}?(?:人民政府办公厅|人民政府办公室|人民政府|办公厅|办公室|委员会|"
    r"人力资源和社会保障局|人力资源社会保障局|人力资源和社会保障厅|人力资源社会保障厅|人力资源和社会保障部|"
    r"人力资源社会保障部|局|厅|部|委|中心|总工会|团委|妇联|残联))"
)
# a document title's last word, with an edition note after it ("…政策清单（2025年版）", "…办法（试行）");
# 清单 / 明白卡 / 汇编 / 指南 / 一览表 are the titles of the policy lists 人社 sites publish
TITLE_LINE = re.compile(
    r"(?:通知|规划|意见|决定|办法|方案|细则|条例|公告|通告|报告|政策清单|清单|明白卡|明白纸|汇编|指南|一览表)"
    r"(?:[（(][^（）()]{1,12}[)）])?$"
)
TITLE_PREFIX = re.compile(
    r"^(.{6,80}?(?:通知|规划|意见|决定|办法|方案|细则|条例|公告|通告))(?=发布|[\u4e00-\u9fff]{1,6}〔|各|$)"
)
PUBLIC_NOTE = re.compile(r"^[（(]此件[^）)]*[)）]$")
SIGNATURE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,24}(?:人民政府|办公厅|办公室|委员会|人民代表大会)|(?:中华人民共和国)?国务院)$"
)
ISSUER_IN_TITLE = re.compile(r"^(.{2,30}?)(?:关于|转发|印发)")
FIVE_YEAR_PLAN = re.compile(r"(十[一二三四五六七八九]五)")
ADDRESSEE = re.compile(r"^各.{2,80}[：:]$")
# An addressee names bodies ("各省、自治区、直辖市人民政府，国务院各部委、各直属机构："); "各地要…：" is a sentence.
ADDRESSEE_HEAD = re.compile(
    r"^各[^。：:；;]{1,80}?(?:政府|部门|单位|机构|机关|部委|厅|局|委|办|院|会|企业|学校|高校|党委|街道|乡镇|区|县|市|州|盟)[：:]"
)
RED_HEAD = re.compile(r"^[\u4e00-\u9fff]{2,24}文件$")
# a page's breadcrumb: "当前位置：首页 > 政务公开 > 通知公告"
BREADCRUMB = re.compile(r"^(?:(?:当前位置|您的位置|您现在的位置|当前所在位置)\s*[:：]|(?:网站)?首页\s*[>＞»›])")
# a page's info line: its date with its source, author or hit count ("发布时间：… 来源：… 浏览次数：…")
PAGE_INFO = re.compile(r"(?:来源|浏览次数|浏览量|点击数|点击量|阅读数|访问量|作者|字体|责任编辑)\s*[:：]")
