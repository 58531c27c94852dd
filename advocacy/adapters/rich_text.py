"""The only module that imports markdown-it-py and nh3: client-written Markdown becomes HTML
through a maintained parser, then a maintained sanitiser."""

from __future__ import annotations

from typing import Final

import nh3
from markdown_it import MarkdownIt

# What the limited Markdown produces, and nothing else: no attributes, no links, no images.
ALLOWED_TAGS: Final = frozenset({"p", "em", "strong", "ul", "ol", "li", "br"})

# The "zero" preset parses paragraphs and text only, with raw HTML off; on top of it clients get
# *em*, **strong**, lists and a line break for each new line (a client does not know about two
# trailing spaces). Headings, links, images, code and quotes stay as typed.
_MARKDOWN: Final = MarkdownIt("zero", {"breaks": True}).enable(["emphasis", "list", "newline"])


def render_markdown(text: str) -> str:
    """Sanitised HTML for the Markdown clients may use: paragraphs, *em*, **strong**, lists."""
    # The newlines markdown-it puts between tags are layout only: every newline of the text
    # itself became a <br>.
    return sanitise(_MARKDOWN.render(text.replace("\r\n", "\n")).replace("\n", ""))


def sanitise(fragment: str) -> str:
    """Keep only the allowed tags, without any attribute; drop scripts and styles with content."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={},
        clean_content_tags={"script", "style"},
        link_rel=None,
        url_schemes=set(),
        strip_comments=True,
    )
