"""How check results and the classifier's explanation are drawn (features come from reader text: escaped)."""

from __future__ import annotations

from rejoinder.moderation.queue import Revision
from rejoinder.web.admin import render


def checks_html(**changes: object) -> str:
    values: dict[str, object] = {
        "revision": 0,
        "text": "x",
        "created": 0,
        "decision": "flag",
        "status": "published",
        "reasons": [
            {"check": "words", "action": "flag", "code": "suspect-word", "detail": "Contains <b>“idiot”</b>."}
        ],
        "spam_score": 0.91,
        "abuse_score": 0.12,
        "classifier": {
            "model": "site-3 v12",
            "reasons": [
                {"target": "spam", "kind": "word", "feature": "<script>", "value": 1.0, "contribution": 2.25},
                ["abuse", "signal", "links", 3.0, -0.5],
            ],
        },
        "external": None,
        "elapsed_us": 800,
    }
    values.update(changes)
    macro = render.templates().get_template("admin/_item.html").module.checks  # type: ignore[attr-defined]
    return str(macro(Revision(**values)))  # type: ignore[arg-type]


def test_scores_reasons_and_features() -> None:
    html = checks_html()
    assert "spam <strong>91%</strong>" in html and "abuse <strong>12%</strong>" in html
    assert "model site-3 v12" in html
    assert "<code>&lt;script&gt;</code>" in html and "+2.25" in html and "-0.50" in html
    assert "Contains &lt;b&gt;“idiot”&lt;/b&gt;." in html and "suspect-word" in html


def test_no_model_says_so() -> None:
    html = checks_html(classifier={"model": None, "reasons": []}, spam_score=0.0, abuse_score=0.0)
    assert "no model scored this comment" in html and "0%" not in html
    assert "Checks on posting: flag" in html


def test_edits_are_named() -> None:
    assert "Checks on edit 2" in checks_html(revision=2, reasons=[])
