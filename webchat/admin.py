"""The maintainer admin (``/admin``): upload documents, preview and correct their metadata, publish them
through a background rebuild, roll back, remove documents, reload the lexicon and catalogue, audit log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, current_app, flash, jsonify, redirect, render_template, request, url_for

from knowledge.regions import NATIONAL, RegionNames
from knowledge.settings import Settings
from knowledge.sources import MetaOverride, load_overrides
from retrieval.buildlock import BuildBusy
from retrieval.ingest.collisions import KnownDocument, known_from_index
from retrieval.ingest.models import Document, DocumentMeta
from retrieval.ingest.pipeline import Ingestor
from retrieval.ingest.worker import BoundedIngestor
from retrieval.search import NoIndexError
from retrieval.store import IndexStoreError
from webchat.app import retrieval_of, settings_of
from webchat.kbsync import follower_of
from webchat.overrides import OVERRIDE_FIELDS, override_from_form, validity_from_form
from webchat.rebuild import Rebuilder, RebuildPlan
from webchat.reload import RELOAD_ERRORS
from webchat.serialize import meta_fields
from webchat.staff import audit, current_account, guard, staff_store_of
from webchat.uploads import Batch, UploadArea, UploadRefused

bp = Blueprint("admin", __name__, url_prefix="/admin")
REBUILDER = "policybot.rebuilder"
BUSY = "另一个索引构建正在进行，请等它完成后再试。"


@bp.before_request
def _allow_uploads() -> None:
    """Let an upload request carry several files of up to ``ingest.max_file_mb`` each."""
    if request.endpoint == "admin.upload":
        settings = settings_of(current_app)
        per_file = int(settings.ingest.max_file_mb * 1_000_000)
        request.max_content_length = per_file * settings.staff.max_upload_files + 1_000_000


guard(bp, ("maintainer",))


@bp.errorhandler(413)
def _too_large(exc: Exception) -> Any:
    settings = settings_of(current_app)
    cap, count = settings.ingest.max_file_mb, settings.staff.max_upload_files
    message = f"上传内容过大：每个文件不超过 {cap:g} MB，一次最多 {count} 个文件。"
    return render_template("console/error.html", message=message, code=413), 413


def init_admin(app: Flask, settings: Settings) -> None:
    """Create the app's rebuilder (one background rebuild at a time)."""

    def published(documents: list[Document]) -> None:
        follower_of(app).sync()  # citations resolve to the new version's documents (other workers: next request)

    app.extensions[REBUILDER] = Rebuilder(
        service=lambda: retrieval_of(app),
        settings=settings,
        uploads=UploadArea(settings.paths.var / "uploads"),
        audit=lambda actor, action, detail: staff_store_of(app).audit(actor, action, detail),
        published=published,
    )


def rebuilder_of(app: Flask) -> Rebuilder:
    """Return the app's rebuilder."""
    rebuilder: Rebuilder = app.extensions[REBUILDER]
    return rebuilder


def _known_documents() -> list[KnownDocument]:
    """The documents of the published index, as uploads are checked against them."""
    try:
        corpus = retrieval_of(current_app).searcher.current().corpus
    except NoIndexError:
        return []
    return known_from_index(corpus.documents.values(), corpus.provisions)


def _ingestor(extra: dict[str, MetaOverride] | None = None) -> Ingestor:
    """An ingestor for uploads: each file in a bounded child process, reports cached for the preview."""
    settings = settings_of(current_app)
    overrides = load_overrides(settings.paths.sources_meta)
    overrides.update(extra or {})
    regions = retrieval_of(current_app).lexicon.region_table
    return BoundedIngestor(settings.ingest, regions, overrides, cache_dir=settings.paths.var / "cache" / "ingest")


@bp.get("/")
def index() -> Any:
    """The admin home: index versions, documents, uploads waiting, the rebuild status, the audit log."""
    settings = settings_of(current_app)
    service = retrieval_of(current_app)
    rebuilder = rebuilder_of(current_app)
    current = service.store.current()
    try:
        documents = list(service.searcher.current().corpus.documents.values())
    except NoIndexError:
        documents = []
    by_source: dict[str, list[Any]] = {}
    for meta in documents:
        by_source.setdefault(meta.source, []).append(meta)
    files = sorted(p.name for p in settings.paths.sources.iterdir() if p.is_file())
    return render_template(
        "console/admin.html",
        current=current,
        versions=list(reversed(service.store.versions())),
        files=files,
        by_source=by_source,
        batches=rebuilder.uploads.batches(),
        status=rebuilder.status,
        audit_log=staff_store_of(current_app).audit_log(100),
        max_mb=settings.ingest.max_file_mb,
        max_files=settings.staff.max_upload_files,
        searcher_error=service.searcher.last_error,
        today=service.searcher.clock(),
    )


@bp.get("/status.json")
def status() -> Any:
    """The rebuild's progress as JSON (polled by the admin page)."""
    body = rebuilder_of(current_app).status.as_json()
    body["current"] = retrieval_of(current_app).store.current()
    return jsonify(body)


@bp.post("/upload")
def upload() -> Any:
    """Stage uploaded documents: each is checked and refused with a reason, or kept for preview."""
    settings = settings_of(current_app)
    sent = [f for f in request.files.getlist("files") if f and (f.filename or f.content_length)]
    if not sent:
        flash("请选择要上传的文件。", "error")
        return redirect(url_for("admin.index"))
    if len(sent) > settings.staff.max_upload_files:
        flash(f"一次最多上传 {settings.staff.max_upload_files} 个文件。", "error")
        return redirect(url_for("admin.index"))
    files = [(f.filename or "", f.read()) for f in sent]
    outcome = rebuilder_of(current_app).uploads.stage(
        files, _ingestor(), settings.paths.sources, current_account().name, _known_documents()
    )
    for name, reason in outcome.refused:
        flash(f"“{name}”未上传：{reason}", "error")
        audit("upload_refused", f"{name}：{reason}")
    for name, warning in outcome.warnings:
        flash(f"“{name}”发布前需要处理：{warning}", "error")
    if outcome.batch is None:
        return redirect(url_for("admin.index"))
    audit("upload", f"上传 {', '.join(outcome.accepted)}（待发布，批次 {outcome.batch.id}）")
    flash(f"已上传 {len(outcome.accepted)} 个文件，请核对识别出的信息后发布。", "success")
    return redirect(url_for("admin.preview", batch_id=outcome.batch.id))


def _batch_or_404(batch_id: str) -> Batch:
    try:
        return rebuilder_of(current_app).uploads.get(batch_id)
    except KeyError:
        abort(404)


def _batch_documents(batch: Batch, with_overrides: bool) -> list[tuple[str, Document]]:
    """Ingest a batch's files (with or without the maintainer's corrections): (override key, document)."""
    extra = {k: MetaOverride.model_validate(v) for k, v in batch.overrides.items()} if with_overrides else {}
    ingestor = _ingestor(extra)
    if not with_overrides:
        ingestor.overrides = {}
    out = []
    for path in rebuilder_of(current_app).uploads.files(batch):
        report = ingestor.ingest_file(path)
        for doc in report.documents:
            key = path.name if doc.meta.part == 1 else f"{path.name}#{doc.meta.part}"
            out.append((key, doc))
    return out


def _fields(doc: Document) -> dict[str, Any]:
    return meta_fields(doc.meta)


@bp.get("/uploads/<batch_id>")
def preview(batch_id: str) -> Any:
    """Preview an upload: detected metadata (editable) and the provisions the real ingestor cut."""
    batch = _batch_or_404(batch_id)
    documents = _batch_documents(batch, with_overrides=True)
    table = retrieval_of(current_app).lexicon.region_table
    # the lexicon's regions, those of the published documents and any city region detected in the upload
    detected = {doc.meta.region for _, doc in documents if table.is_region(doc.meta.region)}
    regions = sorted({NATIONAL, *table.regions, *retrieval_of(current_app).searcher.documented_regions(), *detected})
    return render_template(
        "console/preview.html",
        batch=batch,
        documents=documents,
        fields=OVERRIDE_FIELDS,
        regions=regions,
        running=rebuilder_of(current_app).running(),
    )


@bp.post("/uploads/<batch_id>/meta")
def save_meta(batch_id: str) -> Any:
    """Save the maintainer's corrections of one document's metadata (written to sources.yml on publish)."""
    batch = _batch_or_404(batch_id)
    key = request.form.get("key", "")
    detected = {k: _fields(d) for k, d in _batch_documents(batch, with_overrides=False)}
    if key not in detected:
        abort(404)
    regions = RegionNames(retrieval_of(current_app).lexicon.region_table)
    form = {name: request.form.get(name, "") for name in OVERRIDE_FIELDS}
    try:
        entry = override_from_form(form, detected[key], regions)
    except UploadRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.preview", batch_id=batch_id))
    if entry:
        batch.overrides[key] = entry
    else:
        batch.overrides.pop(key, None)
    rebuilder_of(current_app).uploads.save(batch)
    audit("metadata", f"{key}：{entry or '使用自动识别的信息'}")
    flash("已保存更正，发布时写入 sources.yml。", "success")
    return redirect(url_for("admin.preview", batch_id=batch_id))


@bp.post("/uploads/<batch_id>/publish")
def publish(batch_id: str) -> Any:
    """Add the batch to the knowledge base: build a new index version in the background and publish it."""
    batch = _batch_or_404(batch_id)
    if not rebuilder_of(current_app).start(RebuildPlan("publish", batch=batch), current_account().name):
        flash(BUSY, "error")
        return redirect(url_for("admin.preview", batch_id=batch_id))
    flash("正在构建新的索引版本，完成后自动发布；期间检索和对话照常使用当前版本。", "success")
    return redirect(url_for("admin.index"))


@bp.post("/uploads/<batch_id>/discard")
def discard(batch_id: str) -> Any:
    """Throw an upload away."""
    batch = _batch_or_404(batch_id)
    rebuilder_of(current_app).uploads.discard(batch.id)
    audit("discard", f"放弃上传 {', '.join(batch.files)}")
    flash("已放弃该批上传。", "success")
    return redirect(url_for("admin.index"))


@bp.post("/rebuild")
def rebuild() -> Any:
    """Rebuild the index from the knowledge base as it is (e.g. after a sources.yml edit)."""
    if not rebuilder_of(current_app).start(RebuildPlan("rebuild"), current_account().name):
        flash(BUSY, "error")
    else:
        flash("正在重建索引。", "success")
    return redirect(url_for("admin.index"))


@bp.post("/documents/remove")
def remove() -> Any:
    """Remove a source file from the knowledge base (the file is archived under var/removed) and rebuild."""
    name = request.form.get("source", "")
    files = {p.name for p in settings_of(current_app).paths.sources.iterdir() if p.is_file()}
    if name not in files or Path(name).name != name:
        flash("知识库中没有这个文件。", "error")
        return redirect(url_for("admin.index"))
    if not rebuilder_of(current_app).start(RebuildPlan("remove", remove=name), current_account().name):
        flash(BUSY, "error")
    else:
        flash(f"正在删除 {name} 并重建索引。", "success")
    return redirect(url_for("admin.index"))


def _document_or_404(doc_id: str) -> DocumentMeta:
    try:
        meta = retrieval_of(current_app).searcher.current().corpus.documents.get(doc_id)
    except NoIndexError:
        meta = None
    if meta is None:
        abort(404)
    return meta


def _override_key(meta: DocumentMeta) -> str:
    """The sources.yml key of a document: its file name, with ``#N`` for the N-th document of a file."""
    return meta.source if meta.part == 1 else f"{meta.source}#{meta.part}"


@bp.get("/documents/<doc_id>")
def document(doc_id: str) -> Any:
    """One document: its metadata, its status today and the form that marks it 废止 or superseded."""
    meta = _document_or_404(doc_id)
    today = retrieval_of(current_app).searcher.clock()
    override = load_overrides(settings_of(current_app).paths.sources_meta).get(_override_key(meta), MetaOverride())
    return render_template(
        "console/document.html", meta=meta, override=override, status=meta.status_on(today), today=today
    )


@bp.post("/documents/<doc_id>/validity")
def mark_validity(doc_id: str) -> Any:
    """Mark a document 废止, superseded by another, or in force again; written to sources.yml and rebuilt.

    The mark goes through the same path as the metadata corrected at upload (a sources.yml entry,
    published with a rebuild), so it survives every later rebuild and is reviewed like any other edit.
    """
    meta = _document_or_404(doc_id)
    key = _override_key(meta)
    settings = settings_of(current_app)
    existing = load_overrides(settings.paths.sources_meta).get(key, MetaOverride())
    try:
        entry = validity_from_form(request.form, existing)
    except UploadRefused as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.document", doc_id=doc_id))
    plan = RebuildPlan("validity", meta={key: entry})
    if not rebuilder_of(current_app).start(plan, current_account().name):
        flash(BUSY, "error")
        return redirect(url_for("admin.document", doc_id=doc_id))
    flash(f"已记录“{meta.title}”的时效，正在重建索引，完成后生效。", "success")
    return redirect(url_for("admin.index"))


@bp.post("/rollback")
def rollback() -> Any:
    """Publish an earlier index version again (the one before the current, or the one chosen)."""
    store = retrieval_of(current_app).store
    before = store.current()
    try:
        with store.lock.hold():  # not while a rebuild runs, in this process or another
            now = store.rollback(request.form.get("version") or None)
    except BuildBusy:
        flash(BUSY, "error")
        return redirect(url_for("admin.index"))
    except IndexStoreError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.index"))
    retrieval_of(current_app).searcher.current()
    audit("rollback", f"索引版本 {before} → {now}")
    flash(f"已回滚，当前索引版本为 {now}。注意：知识库文件未随之改变，下次重建会包含它们。", "success")
    return redirect(url_for("admin.index"))


@bp.post("/reload/<what>")
def reload(what: str) -> Any:
    """Reload the lexicon or the catalogue after an edit; a broken file is reported and the old one kept."""
    if what not in ("lexicon", "catalogue"):
        abort(404)
    label = "词库" if what == "lexicon" else "政策目录"
    try:  # published to every worker and replica (they load it before their next request)
        eligibility = follower_of(current_app).publish(what, current_account().name)
    except BuildBusy:
        flash(BUSY, "error")
        return redirect(url_for("admin.index"))
    except RELOAD_ERRORS as exc:
        flash(f"{label}有误，未重新加载，继续使用原来的{label}：{exc}", "error")
        audit(f"reload_{what}_failed", str(exc)[:500])
        return redirect(url_for("admin.index"))
    audit(f"reload_{what}", f"重新加载{label}（{len(eligibility.catalogue)} 条政策）")
    extra = "；词库影响分词，建议随后重建索引" if what == "lexicon" else ""
    flash(f"已重新加载{label}{extra}。", "success")
    return redirect(url_for("admin.index"))
