"""The rubric schema. One YAML file per question; these models validate it on load.

A rubric file looks like this (every field is documented below)::

    id: q10
    question: How do you approach feature scaling and when is it necessary?
    model_answer: Feature scaling normalizes features to comparable ranges. ...
    difficulty: medium            # optional: easy | medium | hard
    time_limit_seconds: 180       # optional
    tags: [preprocessing]         # optional
    concepts:
      - id: fit-on-train
        label: Fit the scaler on training data only
        statement: The scaler is fitted on the training data only and then applied to train and test.
        cues: [fit on training data, training statistics, transform the test set]
        alternatives: []            # optional: other complete ways to state it
        weight: 2
        follow_up: Which data do you fit the scaler on, and why?
        experience: own             # optional, for story points: past | own (see Concept.experience)
    misconceptions:
      - id: fit-on-all
        claim: You should fit the scaler on the whole dataset before splitting.
        correction: Fit it on the training split only; fitting on all data leaks test statistics.
        cues: [fit on all the data, scale before splitting]
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

# Size limits: far above any real rubric (the bundled ones: model answers under 1,200 characters, statements
# under 300, at most 7 concepts of 10 cues), low enough that one rubric cannot make grading take minutes
# (a 5 MB model answer took 248 s and 5.4 GB to grade one answer). The loader caps the file itself.
MAX_MODEL_ANSWER_CHARS = 20_000
MAX_TEXT_CHARS = 5_000
"""question, statement, alternatives, follow_up, claim, correction."""
MAX_SHORT_TEXT_CHARS = 500
"""label, each cue, each tag."""
MAX_CONCEPTS = 100
MAX_MISCONCEPTIONS = 100
MAX_CUES = 100
"""per concept or misconception."""
MAX_ALTERNATIVES = 20
MAX_TAGS = 50

Identifier = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT_CHARS)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_SHORT_TEXT_CHARS)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_MODEL_ANSWER_CHARS)]


def _distinct(cues: tuple[str, ...]) -> tuple[str, ...]:
    seen: set[str] = set()
    for cue in cues:
        if cue.lower() in seen:
            raise ValueError(f"cue {cue!r} is listed twice")
        seen.add(cue.lower())
    return cues


Cues = Annotated[tuple[ShortText, ...], Field(max_length=MAX_CUES), AfterValidator(_distinct)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Concept(_Strict):
    """A key point a good answer makes."""

    id: Identifier
    label: ShortText = Field(description="A short name for the point, shown in feedback.")
    statement: Text = Field(description="What a correct statement of the point says, in one or two sentences.")
    alternatives: tuple[Text, ...] = Field(
        default=(), max_length=MAX_ALTERNATIVES, description="Other complete, correct ways to state the point (any one of them is enough)."
    )
    cues: Cues = Field(default=(), description="Phrases and synonyms a candidate may use for it.")
    weight: float = Field(default=1.0, gt=0, le=10, description="Relative importance; the core definition is 2.")
    follow_up: Text = Field(description="The question to ask when the point is missed.")
    experience: Literal["past", "own"] | None = Field(
        default=None,
        description="For a point of a story (behavioural questions): only a sentence that tells something that "
                    "happened can state it (past: a past-tense verb, not \"I would…\" or \"I usually…\"), or that "
                    "also has the candidate in it (own: \"I\", \"me\", \"my\"; \"we\" alone is not enough). "
                    "Unset: any sentence.",
    )


class Misconception(_Strict):
    """A wrong claim a candidate might make about this question; it costs points."""

    id: Identifier
    claim: Text = Field(description="The wrong claim, stated as a candidate would state it.")
    correction: Text = Field(description="The correct statement, shown in feedback.")
    cues: Cues = Field(default=(), description="Phrases that signal the claim.")
    penalty: float = Field(
        default=1.5, gt=0, le=10,
        description="How serious the claim is, in points of 10; the calibration turns penalties into points off.",
    )


class Rubric(_Strict):
    """Everything needed to grade answers to one question."""

    id: Identifier
    question: Text
    model_answer: LongText
    concepts: tuple[Concept, ...] = Field(min_length=1, max_length=MAX_CONCEPTS)
    misconceptions: tuple[Misconception, ...] = Field(default=(), max_length=MAX_MISCONCEPTIONS)
    difficulty: Literal["easy", "medium", "hard"] | None = None
    time_limit_seconds: int | None = Field(default=None, gt=0, le=3600)
    tags: tuple[ShortText, ...] = Field(default=(), max_length=MAX_TAGS)

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        for kind, items in (("concepts", self.concepts), ("misconceptions", self.misconceptions)):
            seen: set[str] = set()
            for index, item in enumerate(items):
                if item.id in seen:
                    raise ValueError(f"{kind}[{index}].id {item.id!r} is used twice")
                seen.add(item.id)
        return self

    @property
    def total_weight(self) -> float:
        return sum(concept.weight for concept in self.concepts)

    def concept(self, concept_id: str) -> Concept:
        for concept in self.concepts:
            if concept.id == concept_id:
                return concept
        raise KeyError(concept_id)


class BankInfo(_Strict):
    """A bank's ``bank.yaml``: its name (what ``--bank NAME`` takes, and what history records with each
    answer), a title and a description. Optional in a user's own folder: the name is then the folder's."""

    name: Identifier = Field(description="The bank's name: letters, digits, '-', '_' or '.'.")
    title: ShortText = Field(description="A one-line title, shown in lists.")
    description: LongText | None = Field(default=None, description="What the bank asks, in a few sentences.")
