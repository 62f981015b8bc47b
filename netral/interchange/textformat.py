"""Turn the texts of an imported question into plain text, whatever Moodle text format they were written in.

Moodle texts come as HTML, "Moodle auto-format" (HTML allowed, line breaks kept), plain text or Markdown.
Practice items keep plain text only, so nothing from an uploaded file is ever rendered as HTML: tags are
dropped (block tags and <br> become line breaks), character references are decoded, and the content of
<script> and <style> is discarded.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

HTML = "html"
MOODLE = "moodle"
PLAIN = "plain"
MARKDOWN = "markdown"

GIFT_FORMATS = {"html": HTML, "moodle": MOODLE, "plain": PLAIN, "markdown": MARKDOWN}
"""The `[format]` markers of GIFT."""

XML_FORMATS = {"html": HTML, "moodle_auto_format": MOODLE, "plain_text": PLAIN, "markdown": MARKDOWN,
               "wiki_like": MOODLE}
"""The `format="..."` attribute values of Moodle XML (an unknown value is read as HTML, as Moodle does)."""

_BLOCKS = {"address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure", "footer",
           "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "td",
           "th", "tr", "ul"}
_HIDDEN = {"script", "style", "head", "title"}


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # Inside HTML, a line break in the source is just a space.
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment: tags dropped, paragraphs and line breaks kept as line breaks."""
    extractor = _Extractor()
    extractor.feed(html)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def to_plain(text: str, fmt: str) -> str:
    """`text` written in Moodle format `fmt` (one of HTML, MOODLE, PLAIN, MARKDOWN) as plain text."""
    if fmt == HTML:
        return html_to_text(text)
    if fmt == MOODLE:
        # Moodle auto-format shows line breaks as they are and allows HTML tags.
        return html_to_text(text.replace("\r\n", "\n").replace("\n", "<br>"))
    return text.strip()
