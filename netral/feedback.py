"""Turn a scored answer into feedback a trainee can read: each point cites its provision and sanction.

Feedback is assembled from the knowledge base at display time, so correcting one provision corrects every
scenario that cites it, and a contested provision is always shown as contested.
"""

from __future__ import annotations

from dataclasses import dataclass

from netral.content.loader import Content
from netral.content.models import Status
from netral.scoring import FacetResult, ScenarioResult


@dataclass(frozen=True)
class Citation:
    provision_id: str
    reference: str          # "PP 94/2021 Pasal 5 huruf n angka 6"
    title: str
    summary: str
    sanction: str
    status: Status
    status_note: str | None

    @property
    def contested(self) -> bool:
        return self.status is Status.CONTESTED


@dataclass(frozen=True)
class FeedbackPoint:
    option_text: str
    explanation: str
    chosen: bool
    in_key: bool
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class FacetFeedback:
    facet: str
    score: float
    correct: bool
    points: tuple[FeedbackPoint, ...]


def citation(content: Content, provision_id: str, lang: str) -> Citation:
    provision = content.provisions[provision_id]
    return Citation(
        provision_id=provision.id,
        reference=provision.citation(lang),
        title=provision.title.get(lang),
        summary=provision.summary.get(lang),
        sanction=provision.sanction.text.get(lang),
        status=provision.status,
        status_note=provision.status_note.get(lang) if provision.status_note else None,
    )


def facet_feedback(content: Content, result: FacetResult, lang: str) -> FacetFeedback:
    points = tuple(
        FeedbackPoint(
            option_text=item.text.get(lang),
            explanation=item.feedback.get(lang),
            chosen=item.chosen,
            in_key=item.in_key,
            citations=tuple(citation(content, pid, lang) for pid in item.cites if pid in content.provisions),
        )
        for item in result.feedback
    )
    return FacetFeedback(result.facet.value, result.score, result.correct, points)


def scenario_feedback(content: Content, result: ScenarioResult, lang: str) -> tuple[FacetFeedback, ...]:
    """Feedback for every facet of a scored scenario, in the order the facets were asked."""
    return tuple(facet_feedback(content, facet, lang) for facet in result.facets)
