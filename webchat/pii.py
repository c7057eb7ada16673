"""Mask personal numbers (resident ID, mobile, bank card) before text reaches Rasa, logs or the database."""

from __future__ import annotations

import re

ID_MASK = "[身份证号已隐藏]"
MOBILE_MASK = "[手机号已隐藏]"
CARD_MASK = "[银行卡号已隐藏]"

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# 18-character resident ID: 17 digits and a check character (digit or X); not part of a longer number.
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx])(?![0-9A-Za-z])")
# Mainland mobile numbers, optionally with +86/86 and spaces or hyphens in the 3-4-4 grouping.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
# Card numbers: 15–19 digits, possibly grouped by single spaces or hyphens.
_CARD = re.compile(r"(?<!\d)\d(?:[\s-]?\d){14,18}(?!\d)")


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


def _card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    # UnionPay cards (62…) do not always carry a Luhn digit; any other 15–19 digit run must pass it.
    return CARD_MASK if digits.startswith("62") or luhn_ok(digits) else match.group(0)


def mask_pii(text: str) -> str:
    """Replace resident ID, mobile and bank-card numbers in ``text`` by Chinese placeholders.

    Args:
        text: what a citizen typed (full-width digits are treated like ASCII ones).

    Returns:
        The text with each such number replaced; everything else is unchanged.
    """
    text = text.translate(_FULLWIDTH_DIGITS) if any("０" <= c <= "９" for c in text) else text
    text = _ID.sub(lambda m: ID_MASK if valid_resident_id(m.group(1)) else m.group(0), text)
    text = _MOBILE.sub(MOBILE_MASK, text)
    return _CARD.sub(_card, text)
