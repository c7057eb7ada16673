"""Regular expressions for the furniture of Chinese government documents (文号, dates, titles, signatures)."""

from __future__ import annotations

import re

NUMBER = re.compile(r"([\u4e00-\u9fff]{1,6})[〔\[［]\s*(\d{4})\s*[〕\]］]\s*(\d{1,4})\s*号")
NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,10}[〔\[［(（]\d{4}[〕\]］)）]\d+号$")
DATE_CN = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
DATE_LINE = re.compile(r"^(?:[\u4e00-\u9fff]{0,20}\s*)?\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")
PUBLISHED = re.compile(r"(?:发布|印发|成文)日期\s*[:：]\s*(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})")
TITLE_LINE = re.compile(r"(?:通知|规划|意见|决定|办法|方案|细则|条例|公告|通告|报告)$")
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
