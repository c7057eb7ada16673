"""HTML → text: drop tags, scripts, styles and site chrome; keep the words inside links."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, Tag

_HTML_HINT = re.compile(r"<(?:p|div|html|body|br|span|font|table|h[1-6])\b[^>]*>", re.IGNORECASE)
_DROP_TAGS = ("script", "style", "noscript", "iframe", "img", "svg", "head", "nav", "header", "footer", "form")
_VISIBLE_CHROME = {"nav", "header", "footer", "form"}  # dropped blocks whose words a reader sees
# class/id fragments that mark page chrome on news and government sites, not document text
_CHROME = re.compile(
    r"(?:^|[\s_-])(?:nav|menu|header|footer|share|editor|appendqr|qrcode|qr|comment|related|"
    r"breadcrumb|sidebar|advert|ad|img_descr|img_wrapper|copyright|toolbar)(?:$|[\s_-])",
    re.IGNORECASE,
)
_MAX_CELL_CHARS = 600  # longer cells are page layout: their paragraphs stay paragraphs
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "blockquote",
    "table",
    "ul",
    "ol",
    "pre",
    "hr",
}


def looks_like_html(text: str) -> bool:
    """Return True when ``text`` is an HTML page rather than text with a few stray tags.

    Args:
        text: decoded file content.

    Returns:
        True when it has an <html>/<body> element or when at least a third of its lines carry tags.
    """
    if re.search(r"<(?:html|body)\b", text[:5000], re.IGNORECASE):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    tagged = sum(1 for line in lines if _HTML_HINT.search(line))
    return tagged >= 3 and tagged * 3 >= len(lines)


def html_to_text(markup: str) -> str:
    """Extract the readable text of an HTML page (see ``html_to_text_and_chrome``)."""
    return html_to_text_and_chrome(markup)[0]


def html_to_text_and_chrome(markup: str) -> tuple[str, list[str]]:
    """Extract the readable text of an HTML page, and the visible page furniture left out.

    Block elements become line breaks; inline elements (links, spans, fonts) are unwrapped so a
    link in the middle of a sentence keeps the sentence whole. Table cells are joined by tabs, and
    the paragraphs inside a (data) cell stay on its row, so a row is one line.

    Args:
        markup: the HTML source.

    Returns:
        Plain text, one block per line; and the text of each navigation, header, footer, form or
        chrome block removed (scripts, styles and the <head> are not text a reader sees).
    """
    soup = BeautifulSoup(markup, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    chrome: list[str] = []
    for tag in soup.find_all(_DROP_TAGS):
        if tag.attrs is not None and tag.name in _VISIBLE_CHROME:
            chrome.append(_visible(tag))
        tag.decompose()
    for tag in soup.find_all(_is_chrome):
        chrome.append(_visible(tag))
        tag.decompose()
    for table in soup.find_all(["table", "tbody", "thead", "tfoot", "tr"]):  # source layout between cells
        for layout in table.find_all(string=True, recursive=False):
            if not layout.strip():
                layout.extract()
    flat = [cell for cell in soup.find_all(["td", "th"]) if _data_cell(cell)]
    for cell in soup.find_all(["td", "th"]):
        cell.insert_after("\t")
    inside = {id(tag) for cell in flat for tag in cell.find_all(_BLOCK_TAGS)}
    for tag in soup.find_all(_BLOCK_TAGS):
        if id(tag) in inside:  # paragraphs inside a table cell stay in its row
            tag.insert_after(" ")
            continue
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = soup.get_text("")
    return "\n".join(line.strip(" \t") for line in text.splitlines()), [c for c in chrome if c]


def _visible(tag: Tag) -> str:
    """The words of a removed block, one space between its pieces (scripts and styles inside it aside)."""
    for inner in tag.find_all(("script", "style", "noscript", "svg")):
        inner.decompose()
    return " ".join(tag.get_text(" ").split())


def _data_cell(cell: Tag) -> bool:
    """A cell of a data table (short, no table inside), not a layout cell holding a whole article."""
    return cell.find("table") is None and len(cell.get_text()) <= _MAX_CELL_CHARS


def _is_chrome(tag: Tag) -> bool:
    if tag.attrs is None:  # already decomposed together with an ancestor
        return False
    classes: object = tag.get("class") or []
    names = " ".join([*(map(str, classes) if isinstance(classes, list) else [str(classes)]), str(tag.get("id") or "")])
    return bool(names.strip()) and bool(_CHROME.search(names))
