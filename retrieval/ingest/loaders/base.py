"""The common result type of all loaders."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LoadedText:
    """Text extracted from a file.

    Attributes:
        text: the document text, one paragraph or visual line per line.
        meta: metadata the file itself declares (front matter), e.g. title and date.
        kind: which parser produced it: text, html, markdown, pdf or docx.
        chrome: visible text of the page's furniture that the parser left out (an HTML page's
            navigation, breadcrumbs, share and copyright blocks), one block per item.
    """

    text: str
    meta: dict[str, object] = field(default_factory=dict)
    kind: str = "text"
    chrome: tuple[str, ...] = ()
