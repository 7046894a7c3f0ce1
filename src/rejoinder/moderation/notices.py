"""Notices of illegal content and statements of reasons (Digital Services Act, Articles 16 and 17), as
rules without I/O: what a notice must say, the decisions a moderator takes on one, and what a statement of
reasons given to an author holds. services/moderation/notices.py stores them and sends the emails."""

from __future__ import annotations

import enum

import msgspec

from rejoinder.domain.email_links import check_address
from rejoinder.domain.urls import check_text_field
from rejoinder.errors import Invalid

EXPLANATION_MIN = 20  # characters: "a sufficiently substantiated explanation" (Art. 16(2)(a))
EXPLANATION_LIMIT = 5000
NAME_LIMIT = 200
LOCATION_LIMIT = 2048
GROUND_LIMIT = 500
REASONS_LIMIT = 5000


class NoticeCategory(enum.StrEnum):
    """What kind of illegality a notifier names (the categories of the EU transparency database, cut short)."""

    HATE = "hate"  # illegal hate speech, incitement to violence
    TERRORISM = "terrorism"
    CSAM = "csam"  # child sexual abuse material: name and email may be left out (Art. 16(2)(c))
    DEFAMATION = "defamation"
    PRIVACY = "privacy"  # personal data, doxxing
    INTELLECTUAL_PROPERTY = "ip"
    FRAUD = "fraud"  # scams, fraud
    OTHER = "other"


class NoticeDecision(enum.StrEnum):
    REMOVE = "remove"  # the comment is rejected (no longer public anywhere)
    RESTRICT = "restrict"  # the comment is held: hidden from the public, kept for review
    NONE = "none"  # no action: the comment stays


class Restriction(enum.StrEnum):
    REMOVED = "removed"
    RESTRICTED = "restricted"


class GroundKind(enum.StrEnum):
    LEGAL = "legal"  # illegal content (Art. 17(3)(d))
    TERMS = "terms"  # incompatible with the site's terms (Art. 17(3)(e))


class NoticeIn(msgspec.Struct, frozen=True):
    """A notice as checked, ready to store."""

    category: NoticeCategory
    explanation: str
    location: str
    notifier_name: str | None
    notifier_email: str | None
    good_faith: bool


class Notice(msgspec.Struct, frozen=True):
    id: int
    site_id: int
    comment_id: str
    location: str
    category: NoticeCategory
    explanation: str
    notifier_name: str | None
    notifier_email: str | None
    good_faith: bool
    language: str
    created: int
    decided: int | None = None
    decision: NoticeDecision | None = None
    ground: str | None = None
    reasons: str | None = None
    decided_by: str | None = None


class Statement(msgspec.Struct, frozen=True):
    """A statement of reasons (Art. 17(3)): what was restricted (`restriction`, by `action`), the facts
    (`reason_code`, `facts`, `notice_id`), whether automated means were used, and the ground."""

    id: int
    site_id: int
    comment_id: str
    identity_id: str | None
    restriction: Restriction
    action: str
    reason_code: str | None
    facts: str | None
    automated: bool
    ground_kind: GroundKind
    ground: str | None
    notice_id: int | None
    created: int
    emailed: int | None = None
    # The check (moderation/checks/, or "reports" for the report threshold) that held the comment by
    # itself, without a person deciding (Art. 17(3)(c)); None when a moderator decided.
    automated_check: str | None = None
    reversed: int | None = None  # when a moderator approved the comment again: the restriction was lifted


def text_of(
    value: str | None, field: str, code: str, limit: int, *, required: str | None = None
) -> str | None:
    """Trimmed text of at most `limit` characters; `required`: the message when it is empty (else None)."""
    value = (value or "").strip()
    check_text_field(value, field)
    if not value:
        if required is not None:
            raise Invalid.field(field, code, required)
        return None
    if len(value) > limit:
        raise Invalid.field(field, code, f"Keep it under {limit} characters (it has {len(value)})")
    return value


def check_category(raw: str | None) -> NoticeCategory:
    return Invalid.one_of(
        "category", NoticeCategory, raw or "", code="notice-category-invalid", message="Choose one of"
    )


class NoticeForm(msgspec.Struct, frozen=True):
    """A notice as the notifier sent it (the API's JSON or the form page), not checked yet."""

    category: str | None
    explanation: str | None
    location: str | None
    name: str | None
    email: str | None
    good_faith: bool


def check_notice(form: NoticeForm) -> NoticeIn:
    """What Art. 16(2) asks of a notice: an explanation, the exact location, the notifier's name and email
    (both may be left out for child sexual abuse material) and the good-faith statement.

    Raises:
        Invalid: notice-category-invalid, notice-explanation-invalid, notice-location-invalid,
            notice-name-invalid, email-required, email-invalid, good-faith-required.
    """
    kind = check_category(form.category)
    words = text_of(
        form.explanation,
        "explanation",
        "notice-explanation-invalid",
        EXPLANATION_LIMIT,
        required="Explain why the comment is illegal",
    )
    assert words is not None
    if len(words) < EXPLANATION_MIN:
        raise Invalid.field(
            "explanation",
            "notice-explanation-invalid",
            f"Explain in at least {EXPLANATION_MIN} characters why the comment is illegal",
        )
    where = text_of(
        form.location,
        "location",
        "notice-location-invalid",
        LOCATION_LIMIT,
        required="Give the exact address of the comment",
    )
    anonymous = kind is NoticeCategory.CSAM
    who = text_of(
        form.name, "name", "notice-name-invalid", NAME_LIMIT, required=None if anonymous else "Give your name"
    )
    address = None
    if (form.email or "").strip() or not anonymous:
        address = check_address(form.email)
    if not form.good_faith:
        raise Invalid.field(
            "good_faith",
            "good-faith-required",
            "Confirm that you believe in good faith that the information is accurate and complete",
        )
    return NoticeIn(
        category=kind,
        explanation=words,
        location=where or "",
        notifier_name=who,
        notifier_email=address,
        good_faith=True,
    )
