"""Policy lists (政策清单 / 明白卡): each field of each policy a labelled provision, repeated blocks merged,
文号 of 文件依据 recorded; documents that are not lists ingested exactly as before."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from knowledge.settings import RetrievalSettings
from retrieval.corpus import Corpus
from retrieval.ingest.models import Document, FileReport, Provision
from retrieval.ingest.pipeline import Ingestor
from retrieval.ingest.policylabels import cited_numbers, field_kind
from retrieval.lexical import LexicalIndex
from retrieval.stages.model import IndexState, Query, Ranking, RerankContext
from retrieval.stages.policyfield import PolicyFieldReranker, PolicyFieldSettings, question_kinds
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "policylists"
DALIAN = FIXTURES / "dalian_jiuye_zhengce_qingdan.html"
HUIZHOU = FIXTURES / "huizhou_wenjiuye_mingbaika.txt"


def _ingest(ingestor: Ingestor, path: Path) -> tuple[FileReport, Document]:
    report = ingestor.ingest_file(path)
    assert report.error is None, report.error
    (doc,) = report.documents
    return report, doc


def _field(doc: Document, policy: str, label: str) -> list[Provision]:
    return [p for p in doc.provisions if p.text.startswith(f"【{policy}】") and p.policy_field == label]


def test_html_tables_under_group_headings_become_one_policy_per_name(ingestor: Ingestor) -> None:
    report, doc = _ingest(ingestor, DALIAN)
    names = [p.name for p in doc.policies]
    assert len(names) == 7 and len(set(names)) == 7, names
    merged = {p.name: p for p in doc.policies}["一次性吸纳就业补贴"]
    assert merged.groups == ["企业和用人单位", "高校毕业生"] and merged.blocks == 2
    assert merged.fields == ["享受条件", "补贴标准", "申请渠道", "文件依据"]
    (amount,) = _field(doc, "一次性吸纳就业补贴", "补贴标准")  # listed twice, kept once
    assert (
        amount.text
        == "【一次性吸纳就业补贴】补贴标准：按照吸纳人数每人1000元给予企业一次性补贴，同一劳动者只能享受一次。"
    )
    assert amount.section == ["一次性吸纳就业补贴（企业和用人单位、高校毕业生）"]
    (target,) = _field(doc, "一次性吸纳就业补贴", "服务对象")
    assert target.text == "【一次性吸纳就业补贴】服务对象：企业和用人单位；高校毕业生"
    assert amount.cites == target.cites == ["辽人社发〔2024〕12号"]
    # a cell of several <p> stays one field; the page's own lines stay ordinary provisions
    assert _field(doc, "社会保险补贴（企业吸纳就业困难人员）", "补贴标准")[0].text.endswith("可延长至退休。")
    texts = [p.text for p in doc.provisions]
    assert "咨询电话：12333（大连市人力资源和社会保障局政策咨询热线）" in texts
    assert report.lost == []


def test_label_lines_with_numbered_materials_and_repeated_blocks(ingestor: Ingestor) -> None:
    report, doc = _ingest(ingestor, HUIZHOU)
    policies = {p.name: p for p in doc.policies}
    assert list(policies) == ["创业担保贷款及贴息", "一次性创业资助", "租金补贴", "基层就业补贴", "技能提升补贴"]
    assert policies["一次性创业资助"].groups == ["创业人员", "高校毕业生"]
    assert policies["技能提升补贴"].cites == ["人社部发〔2019〕94号", "粤人社规〔2023〕31号"]
    (materials,) = _field(doc, "一次性创业资助", "申报材料")
    assert "1.《一次性创业资助申请表》；2.申请人身份证" in materials.text and materials.text.endswith("产权证明。")
    (loan,) = _field(doc, "创业担保贷款及贴息", "补贴标准")
    assert "LPR-150BP以上部分由借款人和借款银行承担" in loan.text
    # the note after the last field is not part of it
    (phone,) = _field(doc, "技能提升补贴", "咨询电话")
    assert phone.text == "【技能提升补贴】咨询电话：0752-12333"
    assert any(p.text.startswith("附：各县（区）") and p.policy_field is None for p in doc.provisions)
    assert report.lost == []
    assert all(len(p.text) <= ingestor.settings.max_provision_chars for p in doc.provisions)


def test_docx_numbered_blocks_and_key_value_table(ingestor: Ingestor, tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("某区就业援助政策汇编")
    document.add_paragraph("一、零就业家庭")
    document.add_paragraph("（一）公益性岗位托底安置")
    document.add_paragraph("享受对象：零就业家庭中有劳动能力和就业意愿的成员。")
    document.add_paragraph("补贴标准：按当地最低工资标准给予岗位补贴，期限最长3年。")
    document.add_paragraph("经办机构：街道（乡镇）社区服务中心。")
    document.add_paragraph("二、困难高校毕业生")
    document.add_paragraph("（一）公益性岗位托底安置")
    document.add_paragraph("享受对象：零就业家庭中有劳动能力和就业意愿的成员。")
    document.add_paragraph("补贴标准：按当地最低工资标准给予岗位补贴，期限最长3年。")
    document.add_paragraph("经办机构：街道（乡镇）社区服务中心。")
    document.add_paragraph("（二）临时生活补助")
    table = document.add_table(rows=3, cols=2)
    for row, (label, value) in zip(
        table.rows,
        [
            ("补助标准", "按每人每月300元发放，最长不超过6个月"),
            ("申请渠道", "向户籍所在地街道劳动保障所申请"),
            ("政策依据", "某人社发〔2024〕7号"),
        ],
        strict=True,
    ):
        row.cells[0].text, row.cells[1].text = label, value
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "援助政策汇编.docx"
    path.write_bytes(buffer.getvalue())

    report, doc = _ingest(ingestor, path)
    policies = {p.name: p for p in doc.policies}
    assert policies["公益性岗位托底安置"].groups == ["零就业家庭", "困难高校毕业生"]
    assert policies["临时生活补助"].cites == ["某人社发〔2024〕7号"]
    (amount,) = _field(doc, "临时生活补助", "补助标准")
    assert amount.text == "【临时生活补助】补助标准：按每人每月300元发放，最长不超过6个月"
    assert report.lost == []


def test_one_labelled_block_is_not_a_list(ingestor: Ingestor, tmp_path: Path) -> None:
    """A notice quoting one "政策名称：" block is an ordinary document: no policies, nothing relabelled."""
    path = tmp_path / "通知.txt"
    path.write_text(
        "某市人力资源和社会保障局关于做好见习工作的通知\n政策名称：就业见习补贴\n补贴标准：按最低工资标准的60%给予补贴。\n"
        "各单位要按规定做好见习人员管理。\n",
        encoding="utf-8",
    )
    _, doc = _ingest(ingestor, path)
    assert doc.policies == [] and all(p.policy_field is None for p in doc.provisions)


def test_seeds_are_not_lists(seed_documents: dict[str, Document]) -> None:
    assert all(doc.policies == [] for doc in seed_documents.values())
    assert all(p.policy_field is None and p.cites == [] for d in seed_documents.values() for p in d.provisions)


def test_cited_numbers_cut_the_words_before_a_number() -> None:
    assert cited_numbers("依据《关于做好就业工作的通知》（辽人社发〔2024〕12号）和财社〔2017〕164号") == [
        "辽人社发〔2024〕12号",
        "财社〔2017〕164号",
    ]
    assert field_kind("补贴测算") == "amount" and field_kind("经办机构") == "channel" and field_kind("来源") is None


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("这个补贴每月能领多少", "amount"),
        ("在哪里办", "channel"),
        ("哪些人能享受", "target"),
        ("要带什么材料", "materials"),
    ],
)
def test_question_kinds(question: str, kind: str) -> None:
    assert kind in question_kinds(question)


def _state(documents: list[Document]) -> IndexState:
    corpus = Corpus.from_documents(documents)
    n = len(corpus.provisions)
    return IndexState(
        "v",
        corpus,
        LexicalIndex.build([[p.id] for p in corpus.provisions], 1.2, 0.5),
        None,
        None,
        np.array(["全国"] * n, dtype=object),
        np.zeros(n, dtype=np.float32),
        [p.text for p in corpus.provisions],
    )


def _rerank(state: IndexState, question: str) -> Ranking:
    stage = PolicyFieldReranker(PolicyFieldSettings.of(RetrievalSettings()))
    ranking = Ranking(np.arange(state.size, dtype=np.int64), np.ones(state.size))
    asked = Query(question, None, None, [], [], [], ("bm25",))
    return stage.rerank(ranking, RerankContext(asked, [], state, True))


def test_stage_puts_the_asked_field_of_the_named_policy_first(ingestor: Ingestor) -> None:
    state = _state([_ingest(ingestor, DALIAN)[1], _ingest(ingestor, HUIZHOU)[1]])
    for question, policy, kinds in [
        ("租金补贴一年给多少", "租金补贴", {"amount"}),
        ("以工代训补贴在哪里申请", "以工代训补贴", {"channel"}),
        ("灵活就业社保补贴谁能享受", "灵活就业社会保险补贴", {"target", "condition"}),
        # one name inside another: the question's own policy, not the one listed first
        ("灵活就业社会保险补贴去哪申请", "灵活就业社会保险补贴", {"channel"}),
        ("企业的社会保险补贴到哪里申报", "社会保险补贴（企业吸纳就业困难人员）", {"channel"}),
    ]:
        best = state.corpus.provisions[int(_rerank(state, question).order()[0])]
        assert best.text.startswith(f"【{policy}】") and field_kind(best.policy_field) in kinds, (question, best.text)


def test_stage_leaves_a_knowledge_base_without_lists_alone(seed_documents: dict[str, Document]) -> None:
    state = _state(list(seed_documents.values()))
    ranking = _rerank(state, "一次性创业补贴每人多少钱，去哪里申请")
    assert np.array_equal(ranking.score, np.ones(state.size))


ROWSPAN_TABLE = """<html><body><div class="content">
<p>某县稳岗政策一览表</p>
<table>
<tr><th>类别</th><th>政策名称</th><th>服务对象</th><th>补贴标准</th><th>经办机构</th></tr>
<tr><td rowspan="2">吸纳就业</td><td>一次性扩岗补助</td><td>高校毕业生</td>
<td>按每人1500元的标准发放</td><td>县就业服务中心</td></tr>
<tr><td>一次性扩岗补助</td><td>登记失业青年</td><td>按每人1500元的标准发放</td><td>县就业服务中心</td></tr>
<tr><td>稳岗返还</td><td>参保企业</td><td>中小微企业按上年度实际缴纳失业保险费的60%返还</td><td>县社会保险事业中心</td></tr>
</table></div></body></html>"""


def test_a_wide_table_with_a_group_column_and_a_rowspan(ingestor: Ingestor, tmp_path: Path) -> None:
    """Rows of one policy for two groups merge into one set whose 服务对象 lists both; a row missing its
    first cell (rowspan) keeps its cells under the right headers."""
    path = tmp_path / "稳岗政策一览表.html"
    path.write_text(ROWSPAN_TABLE, encoding="utf-8")
    _, doc = _ingest(ingestor, path)
    policies = {p.name: p for p in doc.policies}
    assert (
        policies["一次性扩岗补助"].groups == ["高校毕业生", "登记失业青年"] and policies["一次性扩岗补助"].blocks == 2
    )
    (target,) = _field(doc, "一次性扩岗补助", "服务对象")
    assert target.text == "【一次性扩岗补助】服务对象：高校毕业生；登记失业青年"
    assert target.section == ["一次性扩岗补助（高校毕业生、登记失业青年）"]
    (amount,) = _field(doc, "一次性扩岗补助", "补贴标准")
    assert amount.text == "【一次性扩岗补助】补贴标准：按每人1500元的标准发放"
    (channel,) = _field(doc, "稳岗返还", "经办机构")
    assert channel.text == "【稳岗返还】经办机构：县社会保险事业中心"


def test_numbered_and_qualified_labels(ingestor: Ingestor, tmp_path: Path) -> None:
    """Numbered labels ("1.享受对象："), qualified ones ("补贴标准（元）：", "经办部门及电话：") and "政策一：X"
    blocks: the label is kept as written, its kind is the label it starts with."""
    path = tmp_path / "明白卡.txt"
    path.write_text(
        "某区援企稳岗明白卡\n"
        "政策一：稳岗返还\n1.享受对象：上年度未裁员或裁员率不高于5.5%的参保企业。\n"
        "2.补贴标准（元）：按企业及其职工上年度实际缴纳失业保险费的60%返还。\n3.政策依据及文号：某人社规〔2025〕2号。\n"
        "政策二：技能培训补贴\n1.享受对象：参加职业技能培训并取得证书的城乡劳动者。\n"
        "2.补贴标准（元）：按培训工种等级给予500元至3000元补贴。\n3.经办部门及电话：区职业技能鉴定中心，0411-12333。\n",
        encoding="utf-8",
    )
    report, doc = _ingest(ingestor, path)
    policies = {p.name: p for p in doc.policies}
    assert list(policies) == ["稳岗返还", "技能培训补贴"], list(policies)
    assert policies["稳岗返还"].cites == ["某人社规〔2025〕2号"]
    (amount,) = _field(doc, "稳岗返还", "补贴标准（元）")
    assert field_kind(amount.policy_field) == "amount" and "60%返还" in amount.text
    (channel,) = _field(doc, "技能培训补贴", "经办部门及电话")
    assert field_kind(channel.policy_field) == "channel"
    assert report.lost == []


def test_a_compilation_with_field_headings_and_a_four_column_table(ingestor: Ingestor, tmp_path: Path) -> None:
    """A 政策汇编 whose policies are headings and whose fields are sub-headings ("（二）补贴标准") with the
    value on the lines below; and a table of two label/value pairs a row."""
    path = tmp_path / "政策汇编.html"
    path.write_text(
        """<html><body><div class="content">
<p>某市就业创业政策汇编</p>
<p>一、职业培训补贴</p>
<p>（一）补贴对象</p>
<p>参加职业技能培训的城乡未继续升学的应届初高中毕业生、农村转移就业劳动者、失业人员。</p>
<p>（二）补贴标准</p>
<p>取得职业资格证书的，按培训成本的80%给予补贴。</p>
<p>（三）申请渠道</p>
<p>由培训机构向市职业能力建设处统一申报。</p>
<table>
<tr><td>政策名称</td><td>失业保险技能提升补贴</td><td>服务对象</td><td>参保职工</td></tr>
<tr><td>补贴标准</td><td>初级1000元、中级1500元、高级2000元</td><td>经办机构</td><td>市社会保险事业服务中心</td></tr>
</table>
<p>本汇编由市人力资源和社会保障局负责解释。</p>
</div></body></html>""",
        encoding="utf-8",
    )
    report, doc = _ingest(ingestor, path)
    policies = {p.name: p for p in doc.policies}
    assert list(policies) == ["职业培训补贴", "失业保险技能提升补贴"], list(policies)
    assert policies["职业培训补贴"].fields == ["补贴对象", "补贴标准", "申请渠道"]
    (amount,) = _field(doc, "职业培训补贴", "补贴标准")
    assert amount.text == "【职业培训补贴】补贴标准：取得职业资格证书的，按培训成本的80%给予补贴。"
    (channel,) = _field(doc, "失业保险技能提升补贴", "经办机构")
    assert channel.text == "【失业保险技能提升补贴】经办机构：市社会保险事业服务中心"
    assert policies["失业保险技能提升补贴"].groups == ["参保职工"]
    assert "本汇编由市人力资源和社会保障局负责解释。" in [p.text for p in doc.provisions]
    assert report.lost == []


@pytest.mark.parametrize(
    ("name", "title", "region", "date"),
    [
        ("dalian_jiuye_zhengce_qingdan.html", "大连市就业创业扶持政策清单（2025年版）", "辽宁省大连市", "2025-04-08"),
        ("huizhou_wenjiuye_mingbaika.txt", "惠州市2025年稳就业促创业政策明白卡", "广东省惠州市", "2025-02-26"),
    ],
)
def test_a_policy_list_page_is_cited_by_its_own_title(
    ingestor: Ingestor, name: str, title: str, region: str, date: str
) -> None:
    """清单 / 明白卡 titles (with an edition note) are titles: the list is cited by it, not by its file name,
    and the breadcrumb above it in a text file is not glued to it."""
    _, doc = _ingest(ingestor, FIXTURES / name)
    assert doc.meta.title == title
    assert doc.meta.region == region
    assert doc.meta.date == date
    assert not any(title in p.text for p in doc.provisions)
