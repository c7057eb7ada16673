"""Mask personal data before text reaches Rasa, the logs or the database.

Numbers are found here: resident IDs (18 characters, even with a wrong check digit, and the old 15-digit
form), mobile and landline numbers, bank cards — written in one piece or in groups separated by spaces,
dashes or dots, in full-width digits or in Chinese numerals (一三八…). Words (names, street addresses,
e-mail and chat handles) are found by :mod:`webchat.piiwords`. Whatever a citizen's question needs
(years, ages, amounts, dates, 文号, places down to county level, who they are: 退役军人, 大学生…) is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from webchat.piiwords import ADDRESS_MASK, CONTACT_MASK, EMAIL_MASK, NAME_MASK, Span, word_spans

__all__ = [
    "ADDRESS_MASK",
    "CARD_MASK",
    "CONTACT_MASK",
    "EMAIL_MASK",
    "ID_MASK",
    "MASKS",
    "MOBILE_MASK",
    "NAME_MASK",
    "NUMBER_MASK",
    "PHONE_MASK",
    "luhn_ok",
    "mask_pii",
    "valid_resident_id",
]

ID_MASK = "[身份证号已隐藏]"
MOBILE_MASK = "[手机号已隐藏]"
PHONE_MASK = "[电话号码已隐藏]"
CARD_MASK = "[银行卡号已隐藏]"
NUMBER_MASK = "[号码已隐藏]"
MASKS = (ID_MASK, MOBILE_MASK, PHONE_MASK, CARD_MASK, NUMBER_MASK, EMAIL_MASK, CONTACT_MASK, ADDRESS_MASK, NAME_MASK)

# Detection runs on a copy with full-width characters made ASCII (same length, so spans carry over);
# what is not masked is returned exactly as typed.
_NORMALISE = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}  # ０…９, Ａ…ｚ, ＠, －, （…
_CN_DIGITS = str.maketrans("〇零一幺二三四五六七八九", "001123456789")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_LONGEST = 23  # digits of the longest number looked for in a run of groups: 0086 and a card of 19

_DIGIT = "[0-9〇零一幺二三四五六七八九]"
_SEP = "[ \u3000\\-‐–—.·]"
# A run of digits that may be one number written in groups: "110105 19491231 002X", "138.1234.5678".
_RUN = re.compile(rf"(?<![0-9])\+?{_DIGIT}++(?:{_SEP}{{1,2}}{_DIGIT}++)*+(?:{_SEP}?[Xx](?![A-Za-z]))?(?![0-9])")
_GROUP = re.compile(r"\+?[0-9〇零一幺二三四五六七八九]+[Xx]?|[Xx]")
# Landline with the area code in brackets: (0951)5012345, （010）1234-5678.
_BRACKETED = re.compile(r"[(（]0\d{2,3}[)）]\s?-?\s?\d{3,4}[ -]?\d{4}(?!\d)")
# A number named as an ID, a phone or a card is masked whatever its length (typos, missing digits).
_NAMED = re.compile(
    r"(?P<what>身份证(?:号码|号)?|证件号(?:码)?|手机(?:号码|号)?|电话(?:号码)?|联系方式|座机|固话|"
    r"银行卡(?:号)?|卡号|账号|社保卡号|护照号(?:码)?)(?:是|为|:|：|\s)*"
    rf"(?P<number>[A-Za-z]?{_DIGIT}(?:{_SEP}?{_DIGIT}){{5,}}(?:{_SEP}?[Xx])?)(?![0-9])"
)


def valid_resident_id(number: str) -> bool:
    """Return True when ``number`` is 18 characters with a correct GB 11643 check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(digits: str) -> bool:
    """Return True when the digit string passes the Luhn check used by bank cards."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _birth_date(year: int, month: int, day: int) -> bool:
    try:
        born = date(year, month, day)
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def _looks_like_id(number: str) -> bool:
    """An 18-character (any check character) or 15-digit ID: a region code and a real birth date."""
    if len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] in "Xx"):
        return number[0] in "12345678" and _birth_date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    if len(number) == 15 and number.isdigit():
        return number[0] in "12345678" and _birth_date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    return False


def _classify(number: str, grouped: bool) -> str | None:
    """Return the placeholder for a number (ASCII digits, maybe a trailing X or leading +), or None."""
    number = number.lstrip("+")
    if _looks_like_id(number) or valid_resident_id(number):
        return ID_MASK
    if not number.isdigit():
        return None
    for prefix in ("0086", "86"):
        if number.startswith(prefix) and re.fullmatch(r"1[3-9]\d{9}", number[len(prefix) :]):
            return MOBILE_MASK
    if re.fullmatch(r"1[3-9]\d{9}", number):
        return MOBILE_MASK
    if re.fullmatch(r"0[1-9]\d{8,10}", number):  # area code (3–4 digits with the 0) and a 7–8 digit number
        return PHONE_MASK
    if 15 <= len(number) <= 19:
        # In one piece a number this long is an account; in groups it must look like one.
        return CARD_MASK if not grouped or number.startswith("62") or luhn_ok(number) else None
    if len(number) > 19:
        return NUMBER_MASK
    return None


def _years_only(groups: list[str]) -> bool:
    return all(re.fullmatch(r"(?:19|20)\d\d", g) for g in groups)


def _run_spans(norm: str) -> Iterator[Span]:
    """Numbers in digit runs: the longest stretch of consecutive groups that forms a personal number."""
    for run in _RUN.finditer(norm):
        groups = [(m.start() + run.start(), m.end() + run.start(), m.group()) for m in _GROUP.finditer(run.group())]
        chinese = any(not c.isascii() for c in run.group())
        i = 0
        while i < len(groups):
            last, digits = i, 0
            while last < len(groups) and digits + len(groups[last][2]) <= _LONGEST:
                digits += len(groups[last][2])
                last += 1
            for j in range(max(last, i + 1), i, -1):
                texts = [g[2].translate(_CN_DIGITS) for g in groups[i:j]]
                number = "".join(texts)
                grouped = j - i > 1
                mask = None if grouped and _years_only(texts) else _classify(number, grouped)
                if mask is None and chinese and sum(c.isdigit() for c in number) >= 7:
                    mask = NUMBER_MASK  # seven Chinese numerals in a row are a number read out, never prose
                if mask:
                    yield groups[i][0], groups[j - 1][1], mask
                    i = j
                    break
            else:
                i += 1


def _named_spans(norm: str) -> Iterator[Span]:
    for match in _NAMED.finditer(norm):
        what = match.group("what")
        if "身份" in what or "证件" in what:
            mask = ID_MASK
        elif "手机" in what:
            mask = MOBILE_MASK
        elif any(w in what for w in ("电话", "联系", "座机", "固话")):
            mask = PHONE_MASK
        elif "护照" in what:
            mask = NUMBER_MASK
        else:
            mask = CARD_MASK
        yield match.start("number"), match.end("number"), mask


_PLACEHOLDER = re.compile("|".join(map(re.escape, MASKS)))


def _resolve(spans: list[Span], norm: str) -> list[Span]:
    """Keep non-overlapping spans, the longest first where they overlap; placeholders stay as they are."""
    chosen: list[Span] = [(m.start(), m.end(), m.group()) for m in _PLACEHOLDER.finditer(norm)]
    for span in sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0])):
        if all(span[1] <= c[0] or span[0] >= c[1] for c in chosen):
            chosen.append(span)
    return sorted(chosen)


def mask_pii(text: str) -> str:
    """Replace personal data in ``text`` by Chinese placeholders such as ``[手机号已隐藏]``.

    Args:
        text: what a citizen typed.

    Returns:
        The text with each ID, phone, card number, e-mail or chat handle, street address and name
        (after 我叫/我是/姓名…) replaced; everything else exactly as typed.
    """
    norm = text.translate(_NORMALISE)
    spans: list[Span] = list(_run_spans(norm))
    spans += _named_spans(norm)
    spans += ((m.start(), m.end(), PHONE_MASK) for m in _BRACKETED.finditer(norm))
    spans += word_spans(norm)
    out, last = [], 0
    for start, end, mask in _resolve(spans, norm):
        out.append(text[last:start])
        out.append(mask)
        last = end
    out.append(text[last:])
    return "".join(out)
