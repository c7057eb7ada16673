"""A policy word typed with a same-sounding wrong character (a pinyin slip) is searched as the word."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.lexicon import load_lexicon
from retrieval.homophones import HomophoneFixer, lexicon_vocabulary
from retrieval.tokenize import Tokenizer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def fixer() -> HomophoneFixer:
    lexicon = load_lexicon(ROOT / "knowledge" / "lexicon.yml")
    tokenizer = Tokenizer(lexicon)
    return HomophoneFixer(lexicon_vocabulary(lexicon), tokenizer.segments, tokenizer.is_word)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("失叶金咋领", "失业金咋领"),
        ("想申请创业担保袋款", "想申请创业担保贷款"),  # 贷款, the term, not the everyday word 代款
        ("养劳保险怎么交", "养老保险怎么交"),
        ("低宝户能领不", "低保户能领不"),
        ("认定了就业困男人员", "认定了就业困难人员"),
    ],
)
def test_a_slip_in_a_policy_word_is_mended(fixer: HomophoneFixer, typed: str, meant: str) -> None:
    assert fixer.fix(typed) == meant


@pytest.mark.parametrize(
    "text",
    [
        "事业单位招人不",  # 事业 is a word of its own, not 失业
        "这是业务上的事",  # 是业 (shi ye) is half of 这是 / 业务
        "身体机能不好",  # 机能 is not 技能
        "我是退伍军人 想学门技术",  # nothing mistyped
        "培育工程是干啥的",  # 工程是 sounds like 工程师, but 是 is a word of its own here
        "每年在就业上投多少钱",  # 在就业, not 再就业
        "厂里缺人 想找人帮忙",  # 找人 is no slip of the everyday word 招人 (two characters: terms only)
        "",
    ],
)
def test_words_of_their_own_and_clean_text_are_left_alone(fixer: HomophoneFixer, text: str) -> None:
    assert fixer.fix(text) == text
