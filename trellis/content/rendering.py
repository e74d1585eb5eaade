"""Markdown to safe HTML, and reading time. Pure: imports no Django.

The body is rendered with markdown-it-py (CommonMark, raw HTML off) and then sanitized with nh3 (an
allow-list HTML cleaner), so neither a Markdown trick nor a renderer bug can put a script on the page.
"""

from __future__ import annotations

import math
import re

import nh3
from markdown_it import MarkdownIt

WORDS_PER_MINUTE = 220

_md = MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
    ["table", "strikethrough", "smartquotes", "replacements"]
)

ALLOWED_TAGS = frozenset(
    {
        "a", "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "del", "code", "pre", "blockquote",
        "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td", "img",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
_HEADING = re.compile(r"<(/?)h1>")


def render_markdown(text: str) -> str:
    """Safe HTML for an article body. A top-level heading becomes h2: the page's h1 is the article title."""
    html = _HEADING.sub(r"<\1h2>", _md.render(text))
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )


def reading_minutes(text: str, words_per_minute: int = WORDS_PER_MINUTE) -> int:
    """Whole minutes to read the text at an adult's silent reading pace; at least one."""
    words = len(re.findall(r"\w+", text))
    return max(1, math.ceil(words / words_per_minute))
