"""Render e-mails from templates/email/<name>.html + .txt with the app's Jinja and Flask-Babel.

The subject is the `{% block subject %}` of the .html template: one place, translated like any other
string, extracted by `pybabel extract`. The .txt template is the plain-text body. Both are rendered
inside `force_locale(language)` so the recipient's language wins over the staff member's.

Needs an application context (the app's Jinja environment and translations).
"""

from __future__ import annotations

import html as html_text
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import force_locale

from advocacy.settings import Settings


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


class TemplateMissing(LookupError):
    """No templates/email/<name>.html + .txt pair."""


def current_settings() -> Settings:
    """The settings of the running app (services receive them; this is for callers without)."""
    return current_app.config["ADVOCACY"]


def render_email(name: str, language: str, context: dict[str, Any]) -> RenderedEmail:
    """Subject, HTML and text of e-mail template `name` in `language`."""
    from jinja2 import TemplateNotFound

    env = current_app.jinja_env
    try:
        html_template = env.get_template(f"email/{name}.html")
        text_template = env.get_template(f"email/{name}.txt")
    except TemplateNotFound as error:
        raise TemplateMissing(f"e-mail template {name!r} needs {error.name}") from None
    values = {**context, "language": language}
    with force_locale(language):
        block = html_template.blocks.get("subject")
        if block is None:
            raise TemplateMissing(f"e-mail template {name!r} has no subject block")
        raw_subject = "".join(block(html_template.new_context(values)))
        html = html_template.render(values)
        text = text_template.render(values)
    # The block is HTML-escaped (autoescape); a subject header is plain text on one line.
    subject = " ".join(html_text.unescape(raw_subject).split())
    return RenderedEmail(subject=subject[:300], html=html, text=_tidy(text))


def _tidy(text: str) -> str:
    """Collapse the blank lines template tags leave behind; keep paragraph breaks."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    tidy: list[str] = []
    for line in lines:
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    return "\n".join(tidy) + "\n"
