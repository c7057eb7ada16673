"""Index versions: atomic publish, list, rollback, corruption detection (BM25-only builds, fast)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from knowledge.settings import Settings, load_settings
from retrieval.search import NoIndexError
from retrieval.service import RetrievalService
from retrieval.store import IndexStoreError

ROOT = Path(__file__).resolve().parent.parent


def _service(tmp_path: Path, keep_versions: int = 5) -> RetrievalService:
    settings: Settings = load_settings(
        ROOT / "config.yml",
        paths={"index_root": str(tmp_path / "index")},
        index={"dense": False, "keep_versions": keep_versions},
    )
    return RetrievalService.from_settings(settings)


def test_search_before_any_build_says_so(tmp_path: Path) -> None:
    service = _service(tmp_path)
    with pytest.raises(NoIndexError, match="索引尚未建立"):
        service.searcher.search("创业担保贷款")


def test_build_publishes_and_lists_versions(tmp_path: Path) -> None:
    service = _service(tmp_path)
    first, failed = service.build()
    assert failed == []
    assert service.store.current() == first.version
    second, _ = service.build()
    assert [m.version for m in service.store.versions()] == [first.version, second.version]
    assert service.store.current() == second.version
    manifest = service.store.verify(second.version)
    assert manifest.provisions == first.provisions > 1000 and manifest.documents == 6
    assert "provisions.jsonl" in manifest.files and any(name.startswith("bm25/") for name in manifest.files)
    assert not any(p.suffix == ".pkl" for p in service.store.path(second.version).rglob("*"))


def test_rollback_and_running_searcher_follows_the_pointer(tmp_path: Path) -> None:
    service = _service(tmp_path)
    first, _ = service.build()
    assert service.searcher.search("创业担保贷款").version == first.version
    second, _ = service.build()
    assert service.searcher.search("创业担保贷款").version == second.version  # no restart needed
    assert service.store.rollback() == first.version
    assert service.searcher.search("创业担保贷款").version == first.version
    assert service.store.rollback(second.version) == second.version
    with pytest.raises(IndexStoreError, match="不存在"):
        service.store.rollback("v-nope")


def test_rollback_without_older_version_is_refused(tmp_path: Path) -> None:
    service = _service(tmp_path)
    service.build()
    with pytest.raises(IndexStoreError, match="没有更早的索引版本"):
        service.store.rollback()


def test_corrupted_new_version_is_not_published_and_old_keeps_serving(tmp_path: Path) -> None:
    service = _service(tmp_path)
    good, _ = service.build()
    bad, _ = service.build(publish=False)
    (service.store.path(bad.version) / "provisions.jsonl").write_text("{}\n", encoding="utf-8")
    with pytest.raises(IndexStoreError, match="校验失败"):
        service.store.publish(bad.version)
    assert service.store.current() == good.version
    assert service.searcher.search("就业见习补贴").version == good.version


def test_corrupted_current_version_keeps_the_loaded_one_serving(tmp_path: Path) -> None:
    service = _service(tmp_path)
    good, _ = service.build()
    assert service.searcher.search("就业见习补贴").version == good.version
    bad, _ = service.build()  # published, then damaged on disk before any reader loads it
    (service.store.path(bad.version) / "provisions.jsonl").write_text("{}\n", encoding="utf-8")
    response = service.searcher.search("就业见习补贴")
    assert response.version == good.version and response.results
    assert service.searcher.last_error is not None and bad.version in service.searcher.last_error

    # Publishing the good version again (what an operator does) clears the reported failure.
    service.store.publish(good.version)
    assert service.searcher.search("就业见习补贴").version == good.version
    assert service.searcher.last_error is None


def test_a_broken_version_is_not_reverified_on_every_search(tmp_path: Path) -> None:
    service = _service(tmp_path)
    good, _ = service.build()
    service.searcher.search("就业见习补贴")
    bad, _ = service.build()
    (service.store.path(bad.version) / "provisions.jsonl").write_text("{}\n", encoding="utf-8")
    service.searcher.search("就业见习补贴")
    # Once it has failed, the damaged version's files are no longer read: deleting them changes nothing.
    for path in service.store.path(bad.version).rglob("*"):
        if path.is_file():
            path.unlink()
    response = service.searcher.search("就业见习补贴")
    assert response.version == good.version
    # A re-check would now report the missing files; the reported failure is still the first one.
    assert "校验失败" in str(service.searcher.last_error) and "缺少文件" not in str(service.searcher.last_error)


def test_pruning_keeps_the_configured_number(tmp_path: Path) -> None:
    service = _service(tmp_path, keep_versions=2)
    for _ in range(3):
        service.build()
    assert len(service.store.versions()) == 2


def test_readers_never_see_a_half_published_index(tmp_path: Path) -> None:
    service = _service(tmp_path)
    first, _ = service.build()
    known = {first.version}
    failures: list[str] = []
    seen: set[str] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                response = service.searcher.search("高校毕业生就业见习补贴", k=3)
                seen.add(response.version)
                if not response.results or response.version not in known:
                    failures.append(f"bad response from {response.version}")
            except Exception as exc:  # any error is a failure of atomic publishing
                failures.append(repr(exc))

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(3):
            report, _ = service.build(publish=False)
            known.add(report.version)
            service.store.publish(report.version)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == []
    assert len(seen) >= 2  # readers really crossed a publish


def test_an_unpublished_build_is_never_offered_for_rollback_nor_counted_as_kept(tmp_path: Path) -> None:
    service = _service(tmp_path, keep_versions=2)
    first, _ = service.build()
    second, _ = service.build()
    hidden, _ = service.build(publish=False)  # what a publish that failed after the build used to leave
    assert [m.version for m in service.store.versions()] == [first.version, second.version]
    assert [m.version for m in service.store.unpublished()] == [hidden.version]
    with pytest.raises(IndexStoreError, match="不存在"):
        service.store.rollback(hidden.version)
    assert service.store.rollback() == first.version  # the one before the current, not the hidden build
    service.store.publish(second.version)
    third, _ = service.build()
    assert [m.version for m in service.store.versions()] == [second.version, third.version]
    assert not service.store.path(hidden.version).exists() and service.store.unpublished() == []
