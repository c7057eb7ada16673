"""Each search stage on its own (retrieval/stages), on a handful of real provisions indexed with real BM25."""

from __future__ import annotations

import ast
import random
from dataclasses import replace

import numpy as np
import pytest

from knowledge.lexicon import Lexicon, load_lexicon
from knowledge.questionkind import classify
from knowledge.settings import RetrievalSettings, Settings
from retrieval.corpus import Corpus
from retrieval.ingest.models import DocumentMeta, Provision
from retrieval.lexical import LexicalIndex
from retrieval.search import Searcher
from retrieval.stages.bigrams import bigrams
from retrieval.stages.candidates import CandidateGenerator, CandidateSettings
from retrieval.stages.confidence import Asked, Best, ConfidenceScorer, ConfidenceSettings
from retrieval.stages.coverage import coverage, coverages, question_words
from retrieval.stages.dedupe import DedupeSettings, Deduplicator
from retrieval.stages.fusion import Fusion, FusionSettings
from retrieval.stages.index import _recency
from retrieval.stages.model import Candidates, IndexState, Query, Ranking, RerankContext
from retrieval.stages.rerank import (
    CoverageReranker,
    CoverageSettings,
    NumericReranker,
    NumericSettings,
    RecencyReranker,
    RecencySettings,
    RegionReranker,
    RegionSettings,
)
from retrieval.store import IndexStore
from retrieval.tokenize import Tokenizer
from tests.conftest import ROOT

DEFAULTS = RetrievalSettings()

# (text, region, year of its document)
PROVISIONS = [
    ("对高校毕业生给予一次性求职创业补贴，补贴标准为每人1000元。", "全国", 2016),  # 0
    ("鼓励高校毕业生到基层就业，落实学费补偿和助学贷款代偿政策。", "全国", 2021),  # 1
    ("对高校毕业生给予一次性求职创业补贴，补贴标准为每人1500元。", "宁夏", 2021),  # 2: near-duplicate of 0
    ("支持返乡入乡人员创业，提供创业担保贷款和场地支持。", "宁夏", 2021),  # 3
    ("加强职业技能培训，提升劳动者就业能力。", "深圳", 2021),  # 4
    ("做好失业人员基本生活保障，按时足额发放失业保险金。", "全国", 2016),  # 5
]


@pytest.fixture(scope="module")
def lexicon(settings: Settings) -> Lexicon:
    return load_lexicon(settings.paths.lexicon)


@pytest.fixture(scope="module")
def tokenizer(lexicon: Lexicon) -> Tokenizer:
    return Tokenizer(lexicon)


@pytest.fixture(scope="module")
def state(tokenizer: Tokenizer) -> IndexState:
    documents: dict[str, DocumentMeta] = {}
    provisions = []
    for i, (text, region, year) in enumerate(PROVISIONS):
        doc_id = f"d{i}"
        documents[doc_id] = DocumentMeta(id=doc_id, title=f"文件{i}", region=region, date=f"{year}-06-01", source="x")
        provisions.append(Provision(id=f"{doc_id}:p", doc_id=doc_id, text=text, position=0))
    corpus = Corpus(documents=documents, provisions=provisions)
    bm25 = LexicalIndex.build([tokenizer.tokens(p.text) for p in provisions], 1.2, 0.5)
    regions = [r for _, r, _ in PROVISIONS]
    index = {r: code for code, r in enumerate(dict.fromkeys(regions))}
    return IndexState(
        "v1",
        corpus,
        bm25,
        None,
        None,
        np.array(regions, dtype=object),
        _recency(list(documents.values())),
        [p.text.lower() for p in provisions],
        has_number=np.array(["1" in p.text for p in provisions]),
        region_codes=np.array([index[r] for r in regions], dtype=np.int64),
        region_index=index,
    )


def query(text: str, tokenizer: Tokenizer, lexicon: Lexicon, lineage: list[str] | None = None) -> Query:
    tokens = tokenizer.tokens(text)
    expansions = lexicon.expansions(text)
    extra = [t for t in tokenizer.term_tokens(expansions) if t not in tokens]
    region = lineage[0] if lineage else None
    return Query(text, region, lineage, tokens, expansions, extra, ("bm25",), tokenizer.words(text))


def context(state: IndexState, asked: Query, lexicon: Lexicon, tokenizer: Tokenizer) -> RerankContext:
    return RerankContext(asked, question_words(asked.text, asked.words, lexicon, state), state, True)


def flat(ids: list[int], score: float = 1.0) -> Ranking:
    return Ranking(np.array(ids, dtype=np.int64), np.full(len(ids), score))


# ----- settings -----------------------------------------------------------------------------------
def test_every_stage_takes_its_slice_of_the_retrieval_settings() -> None:
    custom = RetrievalSettings(rerank_depth=7, expansion_part_weight=0.3, duplicate_window=4, coverage_weight=0.5)
    assert CoverageSettings.of(custom) == CoverageSettings(0.5, 7)
    assert CandidateSettings.of(custom).expansion_part_weight == 0.3
    assert DedupeSettings.of(custom).window == 4
    assert ConfidenceSettings.of(custom) == ConfidenceSettings(
        custom.confidence_dense_share,
        custom.min_confidence,
        custom.untopical_min_confidence,
        custom.routed_min_confidence,
    )


def test_config_yml_holds_the_one_default_of_every_retrieval_setting() -> None:
    """config.yml writes every key down (the code has no defaults: tests/test_settings.py checks every section)."""
    import yaml

    written = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["retrieval"]
    assert set(written) == set(RetrievalSettings.model_fields)


def test_no_ranking_number_is_a_module_constant_of_the_search_code() -> None:
    """Numbers that change a ranking are settings; only patterns and names may be module constants."""
    files = [ROOT / "retrieval" / "search.py", *sorted((ROOT / "retrieval" / "stages").glob("*.py"))]
    constants = []
    for path in files:
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                numbers = [
                    n.value
                    for n in ast.walk(node.value)
                    if isinstance(n, ast.Constant) and type(n.value) in (int, float)
                ]
                if numbers:
                    constants.append(f"{path.name}:{node.lineno} {numbers}")
    assert constants == []


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Fusion(FusionSettings(-1, 1)), "融合权重"),
        (lambda: CoverageReranker(CoverageSettings(0.25, 0)), "rerank_depth"),
        (lambda: CoverageReranker(CoverageSettings(1.5, 60)), "coverage_weight"),
        (lambda: NumericReranker(NumericSettings(0.5)), "numeric_boost"),
        (lambda: RecencyReranker(RecencySettings(-0.1)), "recency_weight"),
        (lambda: RegionReranker(RegionSettings(0, 1.8)), "region_penalty"),
        (lambda: RegionReranker(RegionSettings(0.6, 1.8, 0)), "unplaced_local_factor"),
        (lambda: Deduplicator(DedupeSettings(0.75, -1)), "duplicate_window"),
        (lambda: ConfidenceScorer(ConfidenceSettings(0.2, 2, 0.5, 0.5)), "min_confidence"),
        (lambda: ConfidenceScorer(ConfidenceSettings(0.2, 0.1, -1, 0.5)), "untopical_min_confidence"),
    ],
)
def test_a_stage_refuses_settings_out_of_range_with_a_chinese_message(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]


def test_the_searcher_checks_its_stages_settings(tmp_path: object, lexicon: Lexicon) -> None:
    bad = DEFAULTS.model_copy(update={"rerank_depth": 0})  # past pydantic's own check
    with pytest.raises(ValueError, match="rerank_depth"):
        Searcher(IndexStore(tmp_path), lexicon, bad)  # type: ignore[arg-type]


# ----- query analysis ---------------------------------------------------------------------------
def test_one_segmentation_gives_the_same_tokens_and_words_as_two(tokenizer: Tokenizer) -> None:
    questions = [
        "厂子压产能俺被分流了 能领失业金不",
        "跑滴滴的 社保咋交",
        "在孵化器待了两年合同到期 还有创业担保贷款吗",
        "大学生毕业两年内灵活就业社会保险补贴多少钱",
        "Hello 我想问一下 12333 几点上班？😀",
        "中华人民共和国就业促进法规定的职业技能鉴定",
    ]
    for text in questions:
        assert tokenizer.analyse(text) == (tokenizer.tokens(text), tokenizer.words(text))


# ----- candidates ---------------------------------------------------------------------------------
def test_candidates_come_from_the_words_and_their_expansions(
    state: IndexState, tokenizer: Tokenizer, lexicon: Lexicon
) -> None:
    stage = CandidateGenerator(CandidateSettings.of(DEFAULTS), tokenizer)
    found = stage.generate(state, query("失业保险金怎么领", tokenizer, lexicon))
    assert 5 in found.ids.tolist()
    assert found.top_lexical == pytest.approx(float(found.lexical[5]))
    assert not found.dense_leg  # no model loaded
    nothing = stage.generate(state, query("量子计算机", tokenizer, lexicon))
    assert nothing.ids.size == 0


def test_an_expanded_terms_parts_count_expansion_part_weight(
    state: IndexState, tokenizer: Tokenizer, lexicon: Lexicon
) -> None:
    asked = replace(query("补贴", tokenizer, lexicon), expansions=["高校毕业生就业"], expansion_tokens=[])
    half = CandidateGenerator(CandidateSettings.of(DEFAULTS), tokenizer).expansion_scores(state, asked)
    full = CandidateGenerator(
        replace(CandidateSettings.of(DEFAULTS), expansion_part_weight=1.0), tokenizer
    ).expansion_scores(state, asked)
    assert full.max() > 0
    np.testing.assert_allclose(half, full * 0.5, rtol=1e-6)


# ----- fusion -------------------------------------------------------------------------------------
def test_fusion_adds_normalised_bm25_and_dense_similarity() -> None:
    lexical = np.array([4.0, 2.0, 0.0], dtype=np.float32)
    semantic = np.array([0.1, 0.9, 0.5], dtype=np.float32)
    ids = np.array([0, 1, 2], dtype=np.int64)
    hybrid = Fusion(FusionSettings(1.0, 1.0)).fuse(Candidates(ids, lexical, 4.0, semantic, True, True))
    np.testing.assert_allclose(hybrid.score, [1.1, 1.4, 0.5], rtol=1e-6)
    assert hybrid.order().tolist() == [1, 0, 2]
    lexical_only = Fusion(FusionSettings(1.0, 1.0)).fuse(Candidates(ids, lexical, 4.0, semantic, True, False))
    np.testing.assert_allclose(lexical_only.score, [1.0, 0.5, 0.0])
    dense_heavy = Fusion(FusionSettings(0.1, 1.0)).fuse(Candidates(ids, lexical, 4.0, semantic, True, True))
    assert dense_heavy.order().tolist() == [1, 2, 0]


# ----- rerankers ----------------------------------------------------------------------------------
def test_coverage_fast_path_gives_the_same_figures_as_the_definition() -> None:
    rng = random.Random(5)
    alphabet = "就业创业补贴高校毕业生失业保险培训"
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(200)]
    for _ in range(50):
        words = [
            (rng.uniform(0.1, 5), tuple("".join(rng.choice(alphabet) for _ in range(2)) for _ in range(2)))
            for _ in range(rng.randint(0, 5))
        ]
        assert coverages(texts, words).tolist() == [coverage(t, words) for t in texts]


def test_coverage_reranker_prefers_provisions_covering_the_question(
    state: IndexState, tokenizer: Tokenizer, lexicon: Lexicon
) -> None:
    ctx = context(state, query("失业保险金发放", tokenizer, lexicon), lexicon, tokenizer)
    ranked = CoverageReranker(CoverageSettings(0.25, 60)).rerank(flat([0, 5, 4]), ctx)
    assert ranked.order()[0] == 5
    assert ranked.score.tolist()[0] == pytest.approx(0.75)  # covers nothing: 1 - weight
    # only the best `depth` candidates are measured; the rest count as uncovered
    shallow = CoverageReranker(CoverageSettings(0.25, 1)).rerank(flat([0, 5, 4]), ctx)
    assert shallow.order()[0] != 5
    off = CoverageReranker(CoverageSettings(0.0, 60)).rerank(flat([0, 5, 4]), ctx)
    assert off.score.tolist() == [1.0, 1.0, 1.0]


def test_numeric_reranker_prefers_a_figure_only_when_one_is_asked_for(
    state: IndexState, tokenizer: Tokenizer, lexicon: Lexicon
) -> None:
    stage = NumericReranker(NumericSettings(1.2))
    asked = stage.rerank(flat([1, 0]), context(state, query("补贴多少钱", tokenizer, lexicon), lexicon, tokenizer))
    assert asked.order().tolist() == [0, 1]
    plain = stage.rerank(flat([1, 0]), context(state, query("补贴怎么申请", tokenizer, lexicon), lexicon, tokenizer))
    assert plain.order().tolist() == [1, 0]


def test_recency_reranker_puts_the_newer_plan_first_on_equal_scores(
    state: IndexState, tokenizer: Tokenizer, lexicon: Lexicon
) -> None:
    ctx = context(state, query("补贴", tokenizer, lexicon), lexicon, tokenizer)
    ranked = RecencyReranker(RecencySettings(0.03)).rerank(flat([0, 1]), ctx)  # 2016 vs 2021
    assert ranked.order().tolist() == [1, 0]
    assert ranked.score.tolist() == pytest.approx([1.0, 1.03])


def test_region_reranker_ranks_the_askers_provisions_first_and_hides_none(
    state: IndexState, tokenizer: Tokenizer, lexicon: Lexicon
) -> None:
    stage = RegionReranker(RegionSettings(0.8, 1.8))
    ningxia = context(state, query("创业", tokenizer, lexicon, ["宁夏", "全国"]), lexicon, tokenizer)
    ranked = stage.rerank(flat([4, 5, 3]), ningxia)  # 深圳, 全国, 宁夏
    assert ranked.order().tolist() == [3, 5, 4]
    assert ranked.score.tolist() == pytest.approx([0.8, 1.0, 1.8])
    unknown = stage.rerank(flat([4, 5, 3]), context(state, query("创业", tokenizer, lexicon), lexicon, tokenizer))
    assert unknown.score.tolist() == [1.0, 1.0, 1.0]
    # an asker who names no place: a national provision, which applies wherever they are, comes first
    unplaced = RegionReranker(RegionSettings(0.8, 1.8, 0.8))
    national_first = unplaced.rerank(
        flat([4, 5, 3]), context(state, query("创业", tokenizer, lexicon), lexicon, tokenizer)
    )
    assert national_first.order().tolist()[0] == 5
    assert national_first.score.tolist() == pytest.approx([0.8, 1.0, 0.8])
    # once the place is known the unplaced factor plays no part
    assert unplaced.rerank(flat([4, 5, 3]), ningxia).score.tolist() == pytest.approx([0.8, 1.0, 1.8])


# ----- dedupe -------------------------------------------------------------------------------------
def test_near_duplicates_collapse_into_the_askers_most_specific_region(state: IndexState) -> None:
    stage = Deduplicator(DedupeSettings(0.75, 10))
    order = np.array([0, 2, 1], dtype=np.int64)  # 0 (全国) and 2 (宁夏) differ only in the amount
    ningxia = stage.collapse(state, order, 10, ["宁夏", "全国"])
    assert [(g.index, g.duplicates) for g in ningxia] == [(2, [0]), (1, [])]
    anywhere = stage.collapse(state, order, 10, None)
    assert [(g.index, g.duplicates) for g in anywhere] == [(0, [2]), (1, [])]
    strict = Deduplicator(DedupeSettings(1.0, 10)).collapse(state, order, 10, None)
    assert [g.index for g in strict] == [0, 2, 1]
    assert len(bigrams(PROVISIONS[0][0]) & bigrams(PROVISIONS[2][0])) > 0


def test_the_collapse_looks_through_two_k_plus_the_window(state: IndexState) -> None:
    order = np.array([0, 1, 2, 3], dtype=np.int64)  # 2 duplicates 0 and ranks third
    narrow = Deduplicator(DedupeSettings(0.75, 0)).collapse(state, order, 1, None)  # looks at 0 and 1
    assert [(g.index, g.duplicates) for g in narrow] == [(0, [])]
    wide = Deduplicator(DedupeSettings(0.75, 1)).collapse(state, order, 1, None)  # 0, 1 and 2
    assert [(g.index, g.duplicates) for g in wide] == [(0, [2])]
    assert [g.index for g in Deduplicator(DedupeSettings(0.75, 10)).collapse(state, order, 3, None)] == [0, 1, 3]


# ----- confidence ---------------------------------------------------------------------------------
def _best(state: IndexState, index: int, similarity: float) -> Best:
    return Best(state.match_texts[index], state.corpus.provisions[index].text, None, similarity)


def test_confidence_blends_coverage_and_similarity_against_min_confidence(
    state: IndexState, tokenizer: Tokenizer, lexicon: Lexicon
) -> None:
    stage = ConfidenceScorer(ConfidenceSettings(0.2, 0.3, 0.5, 0.95))
    words = question_words("失业保险金发放", tokenizer.words("失业保险金发放"), lexicon, state)
    asked = Asked("失业保险金发放", classify("失业保险金发放"), topical=True, routed=False)
    covered = stage.score(_best(state, 5, 0.5), words, asked)
    assert covered.value == pytest.approx(0.8 + 0.1) and covered.reliable
    missed = stage.score(_best(state, 4, 0.5), words, asked)
    assert missed.value == pytest.approx(0.1) and not missed.reliable
    assert not stage.score(None, words, asked).reliable and stage.score(None, words, asked).value == 0


def test_a_well_covered_provision_is_not_reliable_when_it_lacks_what_is_asked(
    state: IndexState, tokenizer: Tokenizer, lexicon: Lexicon
) -> None:
    """ "失业保险金发放多少": the provision talks about it but states no figure, so it is no answer."""
    stage = ConfidenceScorer(ConfidenceSettings(0.2, 0.3, 0.5, 0.95))
    question = "失业保险金发放多少"
    words = question_words(question, tokenizer.words(question), lexicon, state)
    best = _best(state, 5, 0.5)
    assert "元" not in best.text
    amount = stage.score(best, words, Asked(question, classify(question), topical=True, routed=False))
    assert amount.value > 0.3 and not amount.reliable
    with_figure = replace(best, text=best.text + "，每人每月1500元")
    assert stage.score(with_figure, words, Asked(question, classify(question), topical=True, routed=False)).reliable
    # a matter another service decides (here: 0.95 needed), or a question about nothing to do with work, needs more
    assert not stage.score(with_figure, words, Asked(question, classify(question), topical=True, routed=True)).reliable
    errand = Asked(question, classify(question), topical=True, routed=False, errand=True)
    assert not stage.score(with_figure, words, errand).reliable  # "我的快递到哪了" is never an answer
    lenient = ConfidenceScorer(ConfidenceSettings(0.2, 0.05, 0.5, 0.95))
    weak = _best(state, 4, 0.5)  # confidence 0.1: enough for a question about work, not for one about nothing
    assert lenient.score(
        weak, words, Asked("失业保险金发放", classify("失业保险金发放"), topical=True, routed=False)
    ).reliable
    assert not lenient.score(
        weak, words, Asked("失业保险金发放", classify("失业保险金发放"), topical=False, routed=False)
    ).reliable
