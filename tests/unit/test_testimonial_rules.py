"""Testimonial rules: the workflow table, uses that expire or are withdrawn, the limited Markdown
and its sanitiser against hostile input, and the difference shown to the client."""

from __future__ import annotations

import re
from datetime import date
from html import escape as html_escape

import pytest

from advocacy.adapters.rich_text import render_markdown, sanitise
from advocacy.domain import testimonials as rules
from advocacy.domain.errors import RuleError
from advocacy.domain.testimonials import Permission, Status, Use

TODAY = date(2026, 11, 23)
ALLOWED_TAG = re.compile(r"</?(p|em|strong|ul|ol|li|br)>")


@pytest.mark.parametrize(
    ("old", "new", "allowed"),
    [
        (Status.AWAITING_CLIENT, Status.SUBMITTED, True),
        (Status.AWAITING_CLIENT, Status.APPROVED, False),
        (Status.SUBMITTED, Status.APPROVED, True),
        (Status.SUBMITTED, Status.PUBLISHED, False),
        (Status.APPROVED, Status.PUBLISHED, True),
        (Status.SUBMITTED, Status.AWAITING_REAPPROVAL, True),
        (Status.PUBLISHED, Status.AWAITING_REAPPROVAL, True),
        (Status.AWAITING_REAPPROVAL, Status.PUBLISHED, True),
        (Status.AWAITING_REAPPROVAL, Status.APPROVED, True),
        (Status.PUBLISHED, Status.WITHDRAWN, True),
        (Status.PUBLISHED, Status.EXPIRED, True),
        (Status.WITHDRAWN, Status.PUBLISHED, False),
        (Status.WITHDRAWN, Status.SUBMITTED, False),
        (Status.EXPIRED, Status.APPROVED, False),
    ],
)
def test_the_workflow_allows_only_its_transitions(old: Status, new: Status, allowed: bool) -> None:
    assert rules.can_move(old, new) is allowed


def test_a_refused_move_is_a_rule_error() -> None:
    with pytest.raises(RuleError):
        rules.check_move("withdrawn", Status.PUBLISHED)


@pytest.mark.parametrize(
    ("approved", "published", "back"),
    [
        (False, False, Status.SUBMITTED),
        (True, False, Status.APPROVED),
        (True, True, Status.PUBLISHED),
    ],
)
def test_after_reapproval_the_testimonial_returns_where_it_stood(
    approved: bool, published: bool, back: Status
) -> None:
    assert (
        rules.status_after_reapproval(approved_before=approved, published_before=published) is back
    )


@pytest.mark.parametrize(
    ("permission", "allowed"),
    [
        (Permission(Use.LOGO), True),
        (Permission(Use.LOGO, expires_on=date(2027, 1, 1)), True),
        (Permission(Use.LOGO, expires_on=TODAY), True),  # the last day still counts
        (Permission(Use.LOGO, expires_on=date(2026, 11, 22)), False),
        (Permission(Use.LOGO, withdrawn=True), False),
        (Permission(Use.LOGO, expires_on=date(2027, 1, 1), withdrawn=True), False),
    ],
)
def test_withdrawn_and_expired_permissions_count_as_absent(
    permission: Permission, allowed: bool
) -> None:
    assert (Use.LOGO in rules.allowed_uses([permission], TODAY)) is allowed


def test_allowed_uses_keeps_the_other_uses_when_one_is_withdrawn() -> None:
    permissions = [
        Permission(Use.NAMED_PUBLIC, expires_on=date(2027, 11, 23)),
        Permission(Use.LOGO, withdrawn=True),
        Permission(Use.INTERNAL),
    ]
    assert rules.allowed_uses(permissions, TODAY) == {Use.NAMED_PUBLIC, Use.INTERNAL}


@pytest.mark.parametrize(
    ("status", "usable"),
    [
        ("submitted", False),
        ("approved", True),
        ("published", True),
        ("withdrawn", False),
        ("expired", False),
        ("awaiting_reapproval", False),
        ("awaiting_client", False),
    ],
)
def test_only_approved_or_published_testimonials_are_usable(status: str, usable: bool) -> None:
    assert bool(rules.usable_uses(status, [Permission(Use.INTERNAL)], TODAY)) is usable


def test_a_testimonial_expires_when_every_use_ran_out_but_not_when_one_was_withdrawn() -> None:
    ran_out = [Permission(Use.LOGO, date(2026, 1, 1)), Permission(Use.INTERNAL, date(2026, 2, 1))]
    assert rules.expires_as_a_whole("published", ran_out, TODAY)
    assert not rules.expires_as_a_whole("published", [*ran_out, Permission(Use.CASE_STUDY)], TODAY)
    assert not rules.expires_as_a_whole("published", [Permission(Use.LOGO, withdrawn=True)], TODAY)
    assert not rules.expires_as_a_whole("withdrawn", ran_out, TODAY)
    assert rules.newly_expired(ran_out, TODAY) == [Use.LOGO, Use.INTERNAL]


@pytest.mark.parametrize(
    ("permission", "state"),
    [
        (Permission(Use.LOGO), "live"),
        (Permission(Use.LOGO, withdrawn=True), "withdrawn"),
        (Permission(Use.LOGO, date(2026, 1, 1)), "expired"),
    ],
)
def test_each_permission_reads_as_live_withdrawn_or_expired(
    permission: Permission, state: str
) -> None:
    assert rules.permission_state(permission, TODAY) == state


def test_an_expiry_date_must_be_in_the_future() -> None:
    rules.check_expiry(date(2026, 11, 24), TODAY)
    rules.check_expiry(None, TODAY)
    with pytest.raises(RuleError):
        rules.check_expiry(TODAY, TODAY)


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_is_from_one_to_five(rating: int) -> None:
    with pytest.raises(RuleError):
        rules.check_rating(rating)


@pytest.mark.parametrize("body", ["", "   \n ", "x" * (rules.MAX_BODY_LENGTH + 1)])
def test_an_empty_or_too_long_body_is_refused(body: str) -> None:
    with pytest.raises(RuleError):
        rules.check_body(body)


def test_outcome_tags_are_trimmed_and_deduplicated() -> None:
    assert rules.outcome_tags(" faster close ,Faster close, ,  lower   cost") == [
        "faster close",
        "lower cost",
    ]


def _html(text: str) -> str:
    return render_markdown(text)


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "They were *quick* and **thorough**.",
            "<p>They were <em>quick</em> and <strong>thorough</strong>.</p>",
        ),
        ("- faster\n- cheaper", "<ul><li>faster</li><li>cheaper</li></ul>"),
        ("1. first\n2. second", "<ol><li>first</li><li>second</li></ol>"),
        (
            "One line\nnext line\n\nNew paragraph",
            "<p>One line<br>next line</p><p>New paragraph</p>",
        ),
        ("a * b * c and snake_case_name", "<p>a * b * c and snake_case_name</p>"),
    ],
)
def test_the_markdown_subset_renders_emphasis_lists_and_paragraphs(text: str, html: str) -> None:
    assert _html(text) == html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        '<p style="background:url(javascript:alert(1))">x</p>',
        "**<svg onload=alert(1)>**",
        '<iframe src="https://evil.example"></iframe>',
        '"><script>alert(1)</script>',
    ],
)
def test_hostile_input_comes_out_as_inert_text(payload: str) -> None:
    html = _html(payload)
    # Every tag left is a bare allowed one; whatever else was typed is escaped text.
    assert all(ALLOWED_TAG.fullmatch(tag) for tag in re.findall(r"<[^<]*?>", html)), html
    assert "<" not in ALLOWED_TAG.sub("", html)


@pytest.mark.parametrize(
    "fragment",
    [
        '<p onclick="x">a</p>',
        '<em style="color:red">a</em>',
        '<a href="https://x.example">a</a>',
        "<script>steal()</script>",
        '<ul><li class="x">a</li></ul><img src="x">',
    ],
)
def test_the_sanitiser_keeps_only_allowed_tags_without_attributes(fragment: str) -> None:
    cleaned = sanitise(fragment)
    assert "=" not in cleaned
    assert "<script" not in cleaned and "steal" not in cleaned
    assert "<a" not in cleaned and "<img" not in cleaned


def test_the_diff_shows_words_never_the_markdown_emphasis_marks() -> None:
    html = rules.diff_html("We **loved** the *work*.", "We **really loved** the *work* done.")
    assert "*" not in html
    assert html == "We<ins> really</ins> loved the <del>work.</del><ins>work done.</ins>"


def test_the_diff_marks_insertions_and_deletions_and_escapes_both() -> None:
    html = rules.diff_html("We <b>loved</b> the work", "We really loved the work!")
    assert "<del>&lt;b&gt;loved&lt;/b&gt;</del>" in html
    assert "<ins>really loved</ins>" in html
    assert "<b>" not in html
    assert rules.diff_html("same text", "same text") == "same text"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("- item\n  continued", "<ul><li>item<br>continued</li></ul>"),
        ("- one\n  - nested", "<ul><li>one<ul><li>nested</li></ul></li></ul>"),
        ("3. third\n4. fourth", "<ol><li>third</li><li>fourth</li></ol>"),
    ],
)
def test_an_indented_line_continues_or_nests_the_list_item_above_it(text: str, html: str) -> None:
    assert _html(text) == html


@pytest.mark.parametrize(
    "text", ["# Not a heading", "> not a quote", "`not code`", "![x](https://x.example/a.png)"]
)
def test_markdown_outside_the_subset_stays_as_typed(text: str) -> None:
    assert _html(text) == "<p>" + html_escape(text, quote=False) + "</p>"
