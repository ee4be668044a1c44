"""A key point's note ("said the opposite", "named, not explained", untold) is decided once
(``result.key_point_note``) and reads the same in the CLI, the app and the reports."""

from __future__ import annotations

import pytest
from rich.console import Console

from interviewer.cli.render import render_grade
from interviewer.reports.model import concept_lines
from interviewer.scoring.result import (
    NAMED,
    OPPOSITE,
    UNTOLD,
    ConceptResult,
    Feedback,
    Grade,
    Relevance,
    Similarity,
    key_point_note,
)
from interviewer.tui.widgets.grade_view import grade_text


def _grade(status: str, **flags: bool) -> Grade:
    concept = ConceptResult("own-actions", "Own actions", status, 0.0, 2.0, 0.5, (), None,  # type: ignore[arg-type]
                            "I did it.", "What did you do?", **flags)
    return Grade(rubric_id="beh09", question="Tell me about a mistake.", score=0.5, concepts=(concept,),
                 similarity=Similarity(0.5, 0.5, 0.5), feedback=Feedback("Needs work.", (), (), (), None, ""),
                 features={}, word_count=12, misconceptions=(), relevance=Relevance(True, 0.5, None, None))


def _app_text(grade: Grade) -> str:
    console = Console(width=200, record=True)
    console.print(grade_text(grade))
    return console.export_text()


@pytest.mark.parametrize(("status", "flags", "note"), [
    ("missed", {"contradicted": True}, OPPOSITE),
    ("partial", {"explained": False}, NAMED),
    ("missed", {"untold": True}, UNTOLD),
    ("missed", {"untold": True, "contradicted": True}, OPPOSITE),  # a denied point is wrong, not untold
    ("covered", {}, ""),
    ("missed", {}, ""),
])
def test_every_surface_shows_the_same_note(status: str, flags: dict[str, bool], note: str) -> None:
    grade = _grade(status, **flags)
    assert key_point_note(status, **flags) == note
    assert concept_lines(grade.to_dict())[0].note == note
    cli, app = render_grade(grade), _app_text(grade)
    for text in (OPPOSITE, NAMED, UNTOLD):
        assert (text in cli) == (text == note)
        assert (text in app) == (text == note)
    if note == UNTOLD:
        assert f"Own actions [missed: {UNTOLD}]" in cli
