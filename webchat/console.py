"""The hotline console (``/console``): provision search with filters and highlights, the eligibility
checker, and the queues of unanswered questions and 👎 answers. Agents and maintainers only."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, current_app, g, render_template, request
from markupsafe import Markup, escape

from answering.models import AnswerContext
from answering.period import period_status
from knowledge.facts import EMPLOYER_TYPES, EMPLOYMENT_STATUS, FACTS, GROUPS, FactError
from knowledge.regions import NATIONAL
from retrieval.citation import FINAL_WORD, source_line
from retrieval.ingest.models import STATUS_CODES, DocStatus, DocumentMeta, Provision
from retrieval.search import NoIndexError, Searcher, SearchError
from webchat.answers import composer_of
from webchat.app import retrieval_of, settings_of
from webchat.policies import eligibility_of, with_validity
from webchat.serialize import AsOfError, parse_as_of
from webchat.staff import guard

bp = Blueprint("console", __name__, url_prefix="/console")
guard(bp, ("agent", "maintainer"))

PERIODS: dict[str, str] = {"十三五": "十三五（2016–2020）", "十四五": "十四五（2021–2025）", "none": "非规划类文件"}
STATUS_LABELS: dict[str, str] = {"eligible": "符合", "unknown": "待确认", "ineligible": "不符合"}
SEARCH_POOL = 60  # candidates asked of the searcher before the document/period/region filters


@dataclass(frozen=True)
class ConsoleResult:
    """One provision as the console shows it."""

    provision: Provision
    document: DocumentMeta
    score: float
    text: Markup
    previous: Provision | None
    following: Provision | None
    source: str
    answer: str
    status: str  # where the provision stands today: "“十三五”规划期2016–2020年已结束"
    validity: DocStatus  # its document's status on the as-of date: 现行, 已到期（…）, 已废止, 被《…》替代


def highlight(text: str, terms: list[str]) -> Markup:
    """Return ``text`` escaped, with every occurrence of ``terms`` wrapped in ``<mark>``.

    Args:
        text: plain text (never trusted as HTML).
        terms: words to mark; the longest wins where they overlap.

    Returns:
        Safe markup: only the ``<mark>`` tags are not escaped.
    """
    wanted = sorted({t for t in terms if t.strip()}, key=len, reverse=True)
    if not wanted:
        return Markup(escape(text))
    pattern = re.compile("|".join(re.escape(t) for t in wanted), re.IGNORECASE)
    pieces: list[Markup] = []
    position = 0
    for match in pattern.finditer(text):
        pieces.append(escape(text[position : match.start()]))
        pieces.append(Markup("<mark>") + escape(match.group()) + Markup("</mark>"))
        position = match.end()
    pieces.append(escape(text[position:]))
    return Markup("").join(pieces)


def query_terms(searcher: Searcher, query: str) -> list[str]:
    """Return the words of a question worth marking in results: its search tokens and lexicon expansions."""
    tokens = searcher.tokenizer.tokens(query)
    for expansion in searcher.lexicon.expansions(query):
        tokens.extend(searcher.tokenizer.tokens(expansion))
    long_ones = [t for t in tokens if len(t) >= 2]
    return long_ones or tokens


def ready_answer(provision: Provision, source: str, status: str) -> str:
    """Return the text an agent pastes or reads out: provision, where it stands today, source line, final word."""
    return f"{provision.text}（{status}）\n来源：{source}\n{FINAL_WORD}"


@bp.get("/")
def search() -> Any:
    """The search page: ``?q=问题&region=深圳&doc=ID&period=十四五&validity=现行&as_of=2026-01-01``."""
    started = time.perf_counter()
    service = retrieval_of(current_app)
    searcher = service.searcher
    query = request.args.get("q", "").strip()
    region = request.args.get("region", "").strip()
    doc_filter = request.args.get("doc", "").strip()
    period = request.args.get("period", "").strip()
    validity = request.args.get("validity", "").strip()
    as_of_text = request.args.get("as_of", "").strip()
    documents: list[DocumentMeta] = []
    results: list[ConsoleResult] = []
    error = notice = None
    version = None
    try:
        day = parse_as_of(as_of_text) or searcher.clock()
    except AsOfError as exc:
        error, day = str(exc), searcher.clock()
    if validity and validity not in STATUS_CODES:
        error = f"时效筛选“{validity}”无效，可选：{'、'.join(STATUS_CODES)}"
    try:
        documents = list(searcher.current().corpus.documents.values())
    except NoIndexError as exc:
        error = exc.message
    resolved = None
    composed = None
    if region and error is None:
        resolved = searcher.region_of(region)
        if resolved is None:
            error = f"无法识别地区“{region}”，请填写省、市或县的名称。"
    if query and error is None:
        try:
            response = searcher.search(query, k=SEARCH_POOL, region=resolved, as_of=day)
        except SearchError as exc:
            error = exc.message
        else:
            version = response.version
            filters = _Filters(doc_filter, period, validity)
            results = _console_results(searcher, response.results, query, resolved, filters, day)
            if not results:
                notice = "没有符合筛选条件的条款。" if response.results else response.message
            elif not response.reliable:
                notice = "知识库中没有找到可靠的答案，以下结果仅供参考。"
            composed = composer_of(current_app).compose(query, AnswerContext(region=resolved), as_of=day)
    g.search_ms = (time.perf_counter() - started) * 1000
    return render_template(
        "console/search.html",
        query=query,
        region=region,
        doc_filter=doc_filter,
        period=period,
        periods=PERIODS,
        validity=validity,
        validities=STATUS_CODES,
        as_of=as_of_text,
        day=day,
        documents=documents,
        region_names=sorted({NATIONAL, *service.lexicon.region_table.regions}),
        results=results,
        error=error,
        notice=notice,
        version=version,
        composed=composed,
        search_ms=g.search_ms,
    )


@dataclass(frozen=True)
class _Filters:
    """The console's filters: one document, a plan period, a status on the as-of date ("" = all)."""

    doc: str
    period: str
    validity: str


def _console_results(
    searcher: Searcher,
    found: list[Any],
    query: str,
    region: str | None,
    filters: _Filters,
    today: date,
) -> list[ConsoleResult]:
    limit = settings_of(current_app).staff.console_results
    allowed = set(searcher.lexicon.region_table.ancestors(region)) if region else None
    terms = query_terms(searcher, query)
    state = searcher.current()
    out = []
    for result in found:
        meta: DocumentMeta = result.document
        validity = meta.status_on(today)
        if filters.doc and meta.id != filters.doc:
            continue
        if filters.period and (meta.plan_label or "none") != filters.period:
            continue
        if filters.validity and validity.code != filters.validity:
            continue
        if allowed is not None and meta.region not in allowed:
            continue
        provision: Provision = result.provision
        same_version = state.corpus.get(provision.id) is not None
        source = source_line(meta, provision, today)
        status = period_status(meta, provision, today).text
        out.append(
            ConsoleResult(
                provision=provision,
                document=meta,
                score=result.score,
                text=highlight(provision.text, terms),
                previous=state.corpus.get(provision.prev_id) if provision.prev_id and same_version else None,
                following=state.corpus.get(provision.next_id) if provision.next_id and same_version else None,
                source=source,
                answer=ready_answer(provision, source, status),
                status=status,
                validity=validity,
            )
        )
        if len(out) >= limit:
            break
    return out


@bp.after_request
def _server_timing(response: Any) -> Any:
    if "search_ms" in g:
        response.headers["Server-Timing"] = f"search;dur={g.search_ms:.1f}"
    return response


# ----- eligibility ---------------------------------------------------------------------------


def facts_from_form(form: Any) -> tuple[dict[str, Any], list[str]]:
    """Turn the checker's form into facts (SPEC §3 names) and a list of Chinese input errors.

    Empty fields are left out (unknown), never guessed.
    """
    facts: dict[str, Any] = {}
    problems: list[str] = []
    for name, spec in FACTS.items():
        if spec.kind == "groups":
            chosen = [g for g in form.getlist(name) if g in GROUPS]
            if chosen:
                facts[name] = chosen
            continue
        raw = (form.get(name) or "").strip()
        if not raw:
            continue
        if spec.kind == "number":
            try:
                facts[name] = float(raw)
            except ValueError:
                problems.append(f"{spec.label}：请填写数字")
        elif spec.kind == "bool":
            if raw in ("yes", "no"):
                facts[name] = raw == "yes"
        else:
            facts[name] = raw
    return facts, problems


@bp.route("/eligibility", methods=["GET", "POST"])
def eligibility() -> Any:
    """The eligibility checker: facts as Chinese form fields, the engine's verdicts with reasons and citations."""
    service = eligibility_of()
    values: dict[str, Any] = {}
    verdict = None
    problems: list[str] = []
    if request.method == "POST":
        values = {name: request.form.getlist(name) for name in FACTS}
        facts, problems = facts_from_form(request.form)
        if not problems:
            try:
                verdict = with_validity(service.verdict_json(service.check(facts)))
            except FactError as exc:
                problems.append(f"{FACTS[exc.field].label if exc.field in FACTS else exc.field}：{exc.message}")
    grouped: dict[str, list[dict[str, Any]]] = {status: [] for status in STATUS_LABELS}
    for row in (verdict or {}).get("results", []):
        grouped[row["status"]].append(row)
    return render_template(
        "console/eligibility.html",
        facts=FACTS,
        groups=GROUPS,
        statuses=EMPLOYMENT_STATUS,
        employer_types=EMPLOYER_TYPES,
        values=values,
        problems=problems,
        verdict=verdict,
        grouped=grouped,
        status_labels=STATUS_LABELS,
    )


# ----- queues --------------------------------------------------------------------------------


@bp.get("/unanswered")
def unanswered() -> Any:
    """Recent questions the bot could not answer, with the conversation around them."""
    from webchat.chat import gateway_of
    from webchat.staffqueries import recent_unanswered

    engine = gateway_of(current_app).store.engine
    items = recent_unanswered(engine, settings_of(current_app).staff.queue_limit)
    return render_template("console/queue.html", items=items, kind="unanswered")


@bp.get("/feedback")
def feedback() -> Any:
    """Recent 👎 answers, with the conversation around them."""
    from webchat.chat import gateway_of
    from webchat.staffqueries import negative_feedback

    engine = gateway_of(current_app).store.engine
    items = negative_feedback(engine, settings_of(current_app).staff.queue_limit)
    return render_template("console/queue.html", items=items, kind="feedback")
