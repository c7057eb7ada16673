"""How a citizen or an agent is told which document something comes from: by its title (and 文号), never
by the knowledge base's internal document id (``001_56e23e5e4973f7b9``)."""

from __future__ import annotations

import re

# A 文号 as citations in the catalogue write it: 国发〔2017〕28号.
NUMBER = re.compile(r"〔\d{4}〕\d+号$")
# The knowledge base's own document ids (the seeds' file names, "-N" for the N-th document of a file).
INTERNAL_ID = re.compile(r"\d{3}_[0-9a-f]{16}(?:-\d+)?")
UNNAMED = "相关政策文件"


def book_title(title: str) -> str:
    """Return ``title`` in 书名号: 《…》, a name quoted inside it taking 〈〉 (《国务院印发〈“十四五”就业促进规划〉》).

    Args:
        title: a document title, possibly quoting another document's 《name》.

    Returns:
        The title in 《》 with no 《 nested inside.
    """
    return "《" + title.replace("《", "〈").replace("》", "〉") + "》"


def document_name(title: str | None, number: str | None, reference: str = "") -> str:
    """Return the name a person can look a document up by: 《title》文号, 《title》, or the 文号.

    Args:
        title: the document's title ("" or None when unknown).
        number: its 文号, if it has one.
        reference: how a catalogue citation named it, used only when it is a 文号.

    Returns:
        The readable name; "相关政策文件" when neither title nor 文号 is known (never an internal id).
    """
    if title and not INTERNAL_ID.fullmatch(title):  # a title that fell back to an id-like file name
        return book_title(title) + (number or "")
    if number:
        return number
    if reference and NUMBER.search(reference):
        return reference
    return UNNAMED
