"""Reduce HTML fragments (titles, summaries, article bodies) to clean, single-spaced plain text.

Uses lxml's HTML parser directly (fast enough for every title and summary of every feed); scripts, styles and
similar elements are dropped with their content, block elements become word breaks, entities are decoded.
The result is plain text: no tags, no control characters. Markup nested deeper than the parser accepts (2048
levels; hostile or broken HTML) is read by a linear regular-expression fallback instead of being lost.
"""

from __future__ import annotations

import html
import re
import threading

from lxml import etree
from lxml import html as lxml_html

_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?)\]])")
# C0/C1 controls other than whitespace (ESC, NUL, ...) and the bidirectional formatting characters that can make
# stored text display as something else (U+202E RIGHT-TO-LEFT OVERRIDE, isolates, marks)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_LOOKS_LIKE_MARKUP = re.compile(r"<[A-Za-z!/?]")
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "svg")
# the fallback: every pattern is linear (no unbounded scan that can restart at each "<")
_DROP_BLOCK = re.compile(r"<(script|style|noscript|template|iframe|svg)\b[^<>]*>.*?(?:</\1\s*>|\Z)", re.I | re.S)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_TAG = re.compile(r"<[^<>]*>")
_TAG_START = re.compile(r"<(?=[A-Za-z!/?])")
_LOCAL = threading.local()
_BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table", "section",
    "article", "blockquote", "pre", "header", "footer", "hr", "dd", "dt", "figcaption", "main", "aside",
)


def collapse(text: str) -> str:
    """Collapse every run of whitespace into one space, drop control characters and strip the ends."""
    return _SPACE.sub(" ", _CONTROL.sub("", text)).strip()


def _parser() -> lxml_html.HTMLParser:
    """This thread's HTML parser (lxml parsers must not be shared between threads; making one costs ~15 us)."""
    parser: lxml_html.HTMLParser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = lxml_html.HTMLParser(huge_tree=True)  # depth limit 2048, not 256; input is capped
    return parser


def _regex_text(fragment: str) -> str:
    """Markup-free text by regular expressions (the fallback for what lxml cannot parse)."""
    text = _COMMENT.sub(" ", fragment)
    text = _DROP_BLOCK.sub(" ", text)
    text = _TAG.sub(" ", text)
    text = _TAG_START.sub("", text)  # an unterminated "<div ..." at the end: no tag start survives
    return html.unescape(text)


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
        parser = _parser()
        root = lxml_html.document_fromstring(f"<html><body><div>{fragment}</div></body></html>", parser=parser)
        if any(e.type_name == "ERR_RESOURCE_LIMIT" or "depth" in e.message.lower() for e in parser.error_log):
            raise ValueError("nested too deeply")  # libxml2 stopped early: what it parsed is not the whole text
        etree.strip_elements(root, *_DROP_TAGS, etree.Comment, etree.ProcessingInstruction, with_tail=False)
        for el in root.iter(*_BLOCK_TAGS):
            el.tail = " " + el.tail if el.tail else " "
            el.text = " " + el.text if el.text else " "
        text = root.text_content()
    except (etree.ParserError, ValueError, TypeError):
        text = _regex_text(fragment)
    return _SPACE_BEFORE_PUNCT.sub(_keep_punct, collapse(text))


def _keep_punct(match: re.Match[str]) -> str:
    return match.group(1)
