"""Reduce HTML fragments (titles, summaries, article bodies) to clean, single-spaced plain text.

Uses lxml's HTML parser directly (fast enough for every title and summary of every feed); scripts, styles and
similar elements are dropped with their content, block elements become word breaks, entities are decoded.
"""

from __future__ import annotations

import html
import re

from lxml import etree
from lxml import html as lxml_html

_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)\]])")
_TAG = re.compile(r"<[^>]*>")
_LOOKS_LIKE_MARKUP = re.compile(r"<[A-Za-z!/?]")
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg")
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table", "section",
    "article", "blockquote", "pre", "header", "footer", "hr", "dd", "dt", "figcaption", "main", "aside",
)


def collapse(text: str) -> str:
    """Collapse every run of whitespace into one space and strip the ends."""
    return _SPACE.sub(" ", text).strip()


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment: tags removed, entities decoded, scripts dropped, whitespace collapsed.

    Text without markup is returned with entities decoded and whitespace collapsed (``a < b`` stays as is);
    never raises.
    """
    if not fragment:
        return ""
    if not _LOOKS_LIKE_MARKUP.search(fragment):
        return collapse(html.unescape(fragment)) if "&" in fragment else collapse(fragment)
    try:
        root = lxml_html.document_fromstring(f"<html><body><div>{fragment}</div></body></html>")
        etree.strip_elements(root, *_DROP_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
        for el in root.iter(*_BLOCK_TAGS):
            el.tail = " " + el.tail if el.tail else " "
            el.text = " " + el.text if el.text else " "
        text = root.text_content()
    except (etree.ParserError, ValueError, TypeError):
        text = html.unescape(_TAG.sub(" ", fragment))
    return _SPACE_BEFORE_PUNCT.sub(_keep_punct, collapse(text))


def _keep_punct(match: re.Match[str]) -> str:
    return match.group(1)
