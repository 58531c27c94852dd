"""The only module that imports nh3: client-written HTML goes through a maintained sanitiser."""

from __future__ import annotations

from typing import Final

import nh3

# What the limited Markdown produces, and nothing else: no attributes, no links, no images.
ALLOWED_TAGS: Final = frozenset({"p", "em", "strong", "ul", "ol", "li", "br"})


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
