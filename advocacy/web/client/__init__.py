"""Pages clients open from a signed link under /c/, without signing in: surveys, testimonials,
introductions, references, unsubscribe and mail preferences."""

from flask import Blueprint

from advocacy.web.client import advocacy, mail, pages, surveys, testimonials

BLUEPRINTS: tuple[Blueprint, ...] = (
    mail.bp,
    pages.bp,
    surveys.bp,
    advocacy.bp,
    testimonials.bp,
)
