"""The source line a citizen or agent sees under a provision."""

from __future__ import annotations

from datetime import date

from retrieval.ingest.models import DocumentMeta, Provision

FINAL_WORD = "具体以当地人社部门现行政策为准，可拨打12333咨询。"


def source_line(meta: DocumentMeta, provision: Provision | None = None, as_of: date | None = None) -> str:
    """Format 《文件名》文号 · 章节 · 发布日期 · 适用地区 · 规划期 · 时效.

    Args:
        meta: the document.
        provision: the cited provision, for its section path; None cites the document alone.
        as_of: the day the document's status (现行, 已到期（…）, 已废止, 被《…》替代) is judged on;
            None leaves the status out.

    Returns:
        The source line; parts the document does not have are left out.
    """
    title = meta.title.replace("《", "〈").replace("》", "〉")  # a quoted name inside a title takes 〈〉
    parts = [f"《{title}》" + (meta.number or "")]
    if provision is not None and provision.section:
        parts.append(" ".join(provision.section))
    if meta.date:
        parts.append(f"发布日期 {meta.date}")
    parts.append(f"适用地区 {meta.region}")
    if meta.period is not None:
        label = meta.plan_label
        span = f"{meta.period[0]}–{meta.period[1]}年"
        parts.append(f"{label}规划期 {span}" if label else f"规划期 {span}")
    if as_of is not None:
        parts.append(f"时效 {meta.status_on(as_of).text}")
    return " · ".join(parts)
