"""Data types shared by every classifier, and the :class:`Classifier` protocol."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class ArticleText:
    """The text of one article to classify; ``text`` is the summary and/or body.

    ``own`` names the organisations whose own channel the article comes from (their blog or newsroom): a tagged
    article is about them even when it says "we" instead of their name.
    """

    id: str
    title: str
    text: str
    own: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagScore:
    """One tag assigned to an article, with a confidence in [0, 1]."""

    tag: str
    confidence: float


@dataclass(frozen=True)
class ProviderMention:
    """An organisation (catalogue or config id) named in an article.

    ``score`` is 1.0 when it is named in the title, lower when only the body names it. ``subject`` says whether
    the article's event is about it (:mod:`classifiers.orgs.subjects`); ``role`` is its role: ``subject``,
    ``mention``, or a deal role (``acquirer``, ``acquired``, ``investor``, ``investee``, ``lender``,
    ``borrower``).
    """

    provider: str
    score: float
    in_title: bool
    subject: bool = True
    role: str = "subject"


@dataclass(frozen=True)
class Amount:
    """A money amount found in text, converted to US dollars.

    ``kind`` is one of ``raise``, ``loss``, ``revenue``, ``valuation``, ``price``, ``debt`` or None;
    ``text`` is the matched span; ``currency`` is the ISO code of the original currency.
    """

    value_usd: float
    kind: str | None
    text: str
    currency: str


@dataclass(frozen=True)
class Classification:
    """The full result for one article: tags, providers, amounts and a direction."""

    id: str
    tags: list[TagScore]
    providers: list[ProviderMention]
    """Every organisation named, subjects first (see :class:`ProviderMention`)."""
    amounts: list[Amount]
    direction: str | None
    model_version: str

    def to_json(self) -> dict[str, Any]:
        """Return the stable predict contract as a JSON-ready dict.

        ``{"id", "tags": [{"tag", "confidence"}], "providers": [subject ids], "mentions": [other ids],
        "roles": {id: role}, "amounts": [{"value_usd", "kind", "text"}], "direction"}``.
        """
        return {
            "id": self.id,
            "tags": [{"tag": t.tag, "confidence": round(float(t.confidence), 4)} for t in self.tags],
            "providers": [p.provider for p in self.providers if p.subject],
            "mentions": [p.provider for p in self.providers if not p.subject],
            "roles": {p.provider: p.role for p in self.providers},
            "amounts": [{"value_usd": a.value_usd, "kind": a.kind, "text": a.text} for a in self.amounts],
            "direction": self.direction,
        }


@runtime_checkable
class Classifier(Protocol):
    """Anything that turns articles into classifications.

    ``name`` is ``"transformer"`` or ``"keyword"``; ``version`` identifies the model (for example
    ``"keyword-1"`` or ``"minilm-logreg-<short data hash>"``) and is stored with every signal.
    """

    name: str
    version: str

    def classify(self, items: Sequence[ArticleText]) -> list[Classification]:
        """Classify ``items``; return one :class:`Classification` per item, in order."""
        ...


class ClassifierError(Exception):
    """Base class of every error raised by the classifiers package."""


class ModelMissingError(ClassifierError):
    """The encoder model or the trained artifact could not be found; the message names the path and the fix."""
