"""PII masking of numbers: resident IDs, mobile numbers and bank cards (see test_pii_storage for the corpus)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from webchat.pii import CARD_MASK, ID_MASK, MOBILE_MASK, luhn_ok, mask_pii, valid_resident_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证11010519491231002X帮我查", f"身份证{ID_MASK}帮我查"),
        ("身份证11010519491231002x", f"身份证{ID_MASK}"),
        ("电话13812345678", f"电话{MOBILE_MASK}"),
        ("手机 +86 138-1234-5678 谢谢", f"手机 {MOBILE_MASK} 谢谢"),
        ("手机１３８１２３４５６７８", f"手机{MOBILE_MASK}"),
        ("卡号6222021234567890128", f"卡号{CARD_MASK}"),
        ("卡号 6222 0212 3456 7890 128 收补贴", f"卡号 {CARD_MASK} 收补贴"),
        ("卡号4111111111111111", f"卡号{CARD_MASK}"),
        # an ID typed with a wrong check digit is still someone's ID (region code and birth date hold)
        ("110105194912310021", ID_MASK),
        # a number said to be a phone is masked even when mistyped
        ("电话12345678901", "电话[电话号码已隐藏]"),
    ],
)
def test_personal_numbers_are_masked(text: str, expected: str) -> None:
    assert mask_pii(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024年毕业，交了3年失业保险，离退休还有5年",
        "国发〔2017〕28号第12条",
        "补贴1500元，名额20000个",
        "编号12345678901",  # not a mobile prefix, and nothing says it is a phone
    ],
)
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert mask_pii(text) == text


def test_checksums() -> None:
    assert valid_resident_id("11010519491231002X")
    assert not valid_resident_id("110105194912310021")
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


# Characters and pieces the rules look at, so that random text often comes close to personal data.
_PIECES = [*"0123456789Xx -.一三八幺零我是叫张伟王路号栋单元室小区电话手机身份证@qq.com，。", "138", "6401", "我叫"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join) | st.text(max_size=80))
def test_masking_never_fails_and_masking_twice_changes_nothing(text: str) -> None:
    once = mask_pii(text)
    assert mask_pii(once) == once
