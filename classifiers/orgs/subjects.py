"""Subject versus mention: which named organisations an article's event is about, and their role in a deal.

Every organisation found in an article is scored by a small logistic regression over where and how it is named
(:func:`features`): in the headline or only the body, first or later, at the start of the headline, the word
before it ("invests *in* X", "led *by* X", "acquired *by* X", "*against* X"), the word after it ("X-backed",
"X's", "X raises"), how often it is named compared with the others, whether it is an investor, and which tags the
article carries. The weights are trained on the subject labels of the real-world corpus (``real-train``) and the
threshold tuned on ``real-dev`` (``capwatch classifier train``); they live in the artifact
``classifiers/artifacts/subject_model.json``.

An organisation at or above the threshold is a **subject**; when an article carries tags but nobody reaches it,
the best-scoring organisation named in the headline is the subject (an event happens to somebody). Everybody
else is a **mention**. Deal roles come from phrasing (:func:`deal_roles`): ``acquirer`` / ``acquired``,
``investor`` / ``investee``, ``lender`` / ``borrower``; the risk model uses them so that "A acquires B" raises
risk for B, not A.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from classifiers.orgs.matcher import Hit, OrgMatcher, matcher_for
from classifiers.types import ClassifierError

SUBJECT_ARTIFACT = Path(__file__).resolve().parent.parent / "artifacts" / "subject_model.json"

_BEFORE = {
    "in": ("in", "into"),
    "on": ("on", "via", "through"),
    "from": ("from",),
    "by": ("by",),
    "with": ("with", "alongside"),
    "to": ("to",),
    "against": ("against", "sues", "sued", "suing", "probe", "probes", "fines", "fined", "investigate", "investigates"),
    "of": ("of",),
    "for": ("for",),
    "buys": ("buys", "buy", "acquires", "acquire", "acquiring", "acquired", "purchase", "purchases", "takeover",
             "snaps", "absorbs"),
    "backed": ("backed", "backers", "backer", "investors", "investor", "led", "including", "like"),
    "and": ("and", "&"),
    "rival": ("rival", "rivals", "than", "vs", "versus", "competitor", "unlike", "beats"),
    "at": ("at",),
}
_AFTER = {
    "backed": ("-backed", "backed", "-funded", "funded", "-led", "led"),
    "poss": ("'s", "’s", "s'"),
    "verb_event": ("raises", "raised", "secures", "secured", "lands", "closes", "files", "lays", "cuts", "slashes",
                   "loses", "lost", "posts", "burns", "names", "appoints", "hires", "taps", "ousts", "exits", "retires",
                   "deprecates", "sunsets", "shuts", "sued", "faces", "fined", "agrees", "signs", "hits", "reaches",
                   "tops", "doubles", "halts", "stalls", "misses", "seeks", "eyes", "weighs", "nears", "valued",
                   "borrows", "taps", "inks", "strikes", "wins", "is", "was", "has", "will", "to", "in", "said", "says"),
    "verb_buy": ("acquires", "acquire", "buys", "buy", "to buy", "to acquire", "snaps", "absorbs", "takes", "agrees to buy"),
    "verb_invest": ("invests", "invest", "invested", "backs", "leads", "led", "pours", "puts", "commits", "pledges",
                    "injects", "writes"),
    "verb_sue": ("sues", "sued", "files suit", "accuses"),
    "and": ("and", "&", ","),
    "comma": (",",),
    "rival": ("rival", "challenger", "competitor", "alternative", "killer", "-like", "clone", "rivals"),
}
_TOKEN = re.compile(r"[A-Za-z]+|[’'`-][A-Za-z]+|[,&]")
FEATURE_NAMES: tuple[str, ...] = (
    "bias_title", "title_first", "title_start", "title_pos", "title_count", "in_body", "body_first", "body_count",
    "share", "only_org", "n_orgs_inv", "investor_kind", "big_kind",
    *(f"tb_{k}" for k in _BEFORE), *(f"ta_{k}" for k in _AFTER),
    *(f"bb_{k}" for k in _BEFORE), *(f"ba_{k}" for k in _AFTER),
    "tag_funding", "tag_mna", "tag_compute", "tag_legal", "tag_deprecation",
    "funding_x_tb_in", "funding_x_tb_from_by", "funding_x_ta_backed", "mna_x_tb_buys", "mna_x_ta_buy",
    "legal_x_tb_against", "deprecation_x_tb_in_on",
)
_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}


@dataclass(frozen=True)
class OrgRole:
    """One organisation named in an article: subject or not, the subject score, the deal role, headline mention."""

    org: str
    subject: bool
    score: float
    role: str
    in_title: bool


@dataclass
class SubjectModel:
    """Logistic-regression weights over :data:`FEATURE_NAMES` and the subject threshold, with provenance."""

    weights: np.ndarray
    bias: float
    threshold: float = 0.5
    version: str = "subject-untrained"
    metrics: dict[str, Any] = field(default_factory=dict)

    def score(self, x: np.ndarray) -> np.ndarray:
        """Probabilities that each feature row is a subject."""
        if x.size == 0:
            return np.zeros(0)
        z = x @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))

    def to_dict(self) -> dict[str, Any]:
        """The JSON artifact layout."""
        return {
            "version": self.version,
            "features": list(FEATURE_NAMES),
            "weights": [round(float(w), 6) for w in self.weights],
            "bias": round(float(self.bias), 6),
            "threshold": round(float(self.threshold), 4),
            "metrics": self.metrics,
        }

    def save(self, path: str | os.PathLike[str] = SUBJECT_ARTIFACT) -> Path:
        """Write the artifact to ``path``."""
        out = Path(path)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        return out


def load_subject_model(path: str | os.PathLike[str] | None = None) -> SubjectModel:
    """Load the subject artifact; :class:`ClassifierError` if missing, malformed, or for other features."""
    p = Path(path) if path else SUBJECT_ARTIFACT
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        if list(data["features"]) != list(FEATURE_NAMES):
            raise ValueError("trained on a different feature set; run `capwatch classifier train`")
        return SubjectModel(np.asarray(data["weights"], dtype=np.float64), float(data["bias"]),
                            float(data["threshold"]), str(data["version"]), dict(data.get("metrics") or {}))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClassifierError(f"cannot load the subject model {p} ({exc})") from exc


def _words_before(text: str, start: int, n: int = 2) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text[max(0, start - 40) : start])][-n:]


def _after(text: str, end: int) -> str:
    return text[end : end + 24].lower()


def _context(prefix: str, text: str, hit: Hit, vec: np.ndarray) -> None:
    before = _words_before(text, hit.start)
    for key, words in _BEFORE.items():
        if any(w in words for w in before[-1:]) or (key in ("buys", "backed", "against") and any(w in words for w in before)):
            vec[_INDEX[f"{prefix}b_{key}"]] = 1.0
    after = _after(text, hit.end)
    stripped = after.lstrip()
    for key, words in _AFTER.items():
        if key in ("backed", "poss"):
            if any(after.startswith(w) for w in words):
                vec[_INDEX[f"{prefix}a_{key}"]] = 1.0
        elif any(stripped.startswith(w + " ") or stripped.startswith(w + ",") or stripped == w for w in words):
            vec[_INDEX[f"{prefix}a_{key}"]] = 1.0


def features(
    title: str,
    text: str,
    title_hits: Sequence[Hit],
    body_hits: Sequence[Hit],
    tags: Sequence[str],
    kinds: Mapping[str, str],
) -> tuple[list[str], np.ndarray]:
    """Return the organisations named (headline first, then body order) and one feature row for each."""
    orgs = list(dict.fromkeys([h.org for h in title_hits] + [h.org for h in body_hits]))
    x = np.zeros((len(orgs), len(FEATURE_NAMES)))
    if not orgs:
        return orgs, x
    total = len(title_hits) + len(body_hits)
    first_title = title_hits[0].org if title_hits else None
    first_body = body_hits[0].org if body_hits else None
    tagset = set(tags)
    for row, org in enumerate(orgs):
        vec = x[row]
        th = [h for h in title_hits if h.org == org]
        bh = [h for h in body_hits if h.org == org]
        if th:
            vec[_INDEX["bias_title"]] = 1.0
            vec[_INDEX["title_first"]] = float(org == first_title)
            vec[_INDEX["title_start"]] = float(th[0].start <= 2)
            vec[_INDEX["title_pos"]] = th[0].start / max(1, len(title))
            vec[_INDEX["title_count"]] = min(len(th), 3) / 3
            _context("t", title, th[0], vec)
        if bh:
            vec[_INDEX["in_body"]] = 1.0
            vec[_INDEX["body_first"]] = float(org == first_body)
            vec[_INDEX["body_count"]] = min(len(bh), 5) / 5
            _context("b", text, bh[0], vec)
        vec[_INDEX["share"]] = (len(th) + len(bh)) / max(1, total)
        vec[_INDEX["only_org"]] = float(len(orgs) == 1)
        vec[_INDEX["n_orgs_inv"]] = 1.0 / len(orgs)
        kind = kinds.get(org, "")
        vec[_INDEX["investor_kind"]] = float(kind == "investor")
        vec[_INDEX["big_kind"]] = float(kind in ("hyperscaler", "chips"))
        vec[_INDEX["tag_funding"]] = float(bool(tagset & {"funding_raise", "debt_financing"}))
        vec[_INDEX["tag_mna"]] = float("m_and_a" in tagset)
        vec[_INDEX["tag_compute"]] = float("compute_deal" in tagset)
        vec[_INDEX["tag_legal"]] = float("legal_regulatory" in tagset)
        vec[_INDEX["tag_deprecation"]] = float(bool(tagset & {"deprecation", "api_pricing", "outage"}))
        fund, mna = vec[_INDEX["tag_funding"]], vec[_INDEX["tag_mna"]]
        vec[_INDEX["funding_x_tb_in"]] = fund * max(vec[_INDEX["tb_in"]], vec[_INDEX["bb_in"]])
        vec[_INDEX["funding_x_tb_from_by"]] = fund * max(vec[_INDEX["tb_from"]], vec[_INDEX["tb_by"]],
                                                         vec[_INDEX["tb_backed"]], vec[_INDEX["bb_backed"]])
        vec[_INDEX["funding_x_ta_backed"]] = fund * max(vec[_INDEX["ta_backed"]], vec[_INDEX["ta_verb_invest"]])
        vec[_INDEX["mna_x_tb_buys"]] = mna * max(vec[_INDEX["tb_buys"]], vec[_INDEX["tb_of"]])
        vec[_INDEX["mna_x_ta_buy"]] = mna * vec[_INDEX["ta_verb_buy"]]
        vec[_INDEX["legal_x_tb_against"]] = vec[_INDEX["tag_legal"]] * vec[_INDEX["tb_against"]]
        # "X deprecated in GitHub Models", "retired on Cerebras": the platform is the one acting
        vec[_INDEX["deprecation_x_tb_in_on"]] = vec[_INDEX["tag_deprecation"]] * max(vec[_INDEX["tb_in"]], vec[_INDEX["tb_on"]])
    return orgs, x


ROLE_TEXT_CHARS = 600
"""Deal phrasing is read in the headline and the first characters of the text (the lede)."""
_ROLE_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # (regex with {A} and {B} placeholders, role of A, role of B)
    (r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,4}}?(?:to\s+)?(?:acquires?|acquired|buys?|bought|snaps\s+up|absorbs|takes\s+over|"
     r"agrees\s+to\s+(?:buy|acquire)|completes\s+(?:its\s+)?acquisition\s+of|is\s+acquiring)[^\w.;]+(?:\w+[^\w.;]+){{0,3}}?{B}",
     "acquirer", "acquired"),
    (r"{B}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:is\s+|was\s+|to\s+be\s+)?(?:acquired|bought|snapped\s+up)\s+by[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?{A}",
     "acquirer", "acquired"),
    (r"{A}'?s?[^\w.;]+(?:\$[\d.,]+\s*\w*\s+)?(?:acquisition|purchase|takeover|buyout)\s+of[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?{B}",
     "acquirer", "acquired"),
    (r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,4}}?(?:invests?|invested|backs|pours|puts?|commits|pledges|injects|leads)[^\w.;]+"
     r"(?:[^.;]{{0,60}}?)\b(?:in|into)[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?{B}", "investor", "investee"),
    (r"{B}[^\w.;]+(?:[^.;]{{0,80}}?)\b(?:raises?|raised|secures?|secured|lands|closes|gets|wins)\b[^.;]{{0,80}}?"
     r"\b(?:from|led\s+by|backed\s+by|including)[^\w.;]+(?:[^.;]{{0,40}}?){A}", "investor", "investee"),
    (r"{A}[-\s](?:backed|funded)\s+(?:\w+[^\w.;]+){{0,2}}?{B}", "investor", "investee"),
    (r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:pays?|paid|paying)[^\w.;]+[^.;]{{0,40}}?\bfor\b[^.;]{{0,30}}?{B}", "investor", "investee"),
    (r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:sells?|sold|dumps|offloads|unloads|trims|cuts)[^\w.;]+(?:[^.;]{{0,30}}?){B}'?s?[^\w.;]+"
     r"(?:\w+[^\w.;]+){{0,1}}?(?:shares|stake|holding)", "investor", "investee"),
    (r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:sues|sued|suing|files\s+suit\s+against|takes\s+\w+\s+fight\s+to)[^\w.;]+{B}",
     "plaintiff", "defendant"),
    (r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,4}}?(?:licen[cs]es?|licen[cs]ing|licen[cs]e)[^\w.;]+(?:\w+[^\w.;]+){{0,3}}?{B}'?s?[^\w.;]+"
     r"(?:\w+[^\w.;]+){{0,3}}?(?:models?|technology|tech|staff|team|employees|founders?)", "acquirer", "acquired"),
    (r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:hires?|hired|hiring|lands|poach(?:es|ed)?|taps|tapped|names|named|appoints|"
     r"appointed|recruits|recruited|takes|took|nabs)[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?{B}'?s?[^\w.;]+(?:\w+[^\w.;]+){{0,1}}?"
     r"(?:chief|ceo|cto|cfo|co-?founders?|founders?|executives?|head|president|leaders?|leadership|team|staff)",
     "hirer", "departed"),
    (r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,3}}?(?:lends?|loans?|extends\s+(?:a\s+)?credit)[^\w.;]+(?:[^.;]{{0,40}}?){B}", "lender", "borrower"),
    (r"{B}[^\w.;]+(?:[^.;]{{0,60}}?)\b(?:loan|credit\s+facility|debt\s+financing|credit\s+line)\b[^.;]{{0,60}}?"
     r"\b(?:from|led\s+by|with)[^\w.;]+(?:[^.;]{{0,30}}?){A}", "lender", "borrower"),
)


_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_A = r"@@(?P<a>\d+)@@"
_B = r"@@(?P<b>\d+)@@"
_ROLE_RES = tuple((re.compile(p.format(A=_A, B=_B), re.IGNORECASE), ra, rb) for p, ra, rb in _ROLE_PATTERNS)
_BUYER_RE = re.compile(_A + r"[^\w.;]+(?:\w+[^\w.;]+){0,2}?(?:to\s+)?(?:acquires?|buys?|snaps\s+up|absorbs|takes\s+over|"
                       r"agrees\s+to\s+(?:buy|acquire)|completes\s+(?:its\s+)?acquisition\s+of|is\s+acquiring)\b",
                       re.IGNORECASE)
"""An acquirer whose target is not a catalogue organisation ("Anthropic acquires Bun")."""
ROLE_PATTERNS_TEXT = repr((_ROLE_PATTERNS, _BUYER_RE.pattern))
"""The deal phrasing as text, hashed into the subject model's version."""


def _marked(text: str, hits: Sequence[Hit], index: Mapping[str, int]) -> str:
    """``text`` with every organisation name replaced by ``@@k@@`` (k: the organisation's index) and decimal points
    replaced by ``_``, so that the patterns can treat ``.`` and ``;`` as the end of a clause ("$14.3 billion")."""
    out, last = [], 0
    for h in hits:
        if h.org in index:
            out.append(text[last:h.start])
            out.append(f"@@{index[h.org]}@@")
            last = h.end
    out.append(text[last:])
    return _DECIMAL.sub("_", "".join(out))


def deal_roles(title: str, text: str, title_hits: Sequence[Hit], body_hits: Sequence[Hit],
               orgs: Sequence[str]) -> dict[str, str]:
    """Roles of the organisations in a deal, read from phrasing in the headline, then the lede (first wins).

    Names are first replaced by numbered markers, so the fixed patterns of :data:`_ROLE_PATTERNS` run once per
    text whatever the organisations are.
    """
    roles: dict[str, str] = {}
    if not orgs:
        return roles
    index = {org: i for i, org in enumerate(orgs)}
    lede = (text or "")[:ROLE_TEXT_CHARS]
    parts = (_marked(title or "", title_hits, index), _marked(lede, [h for h in body_hits if h.end <= len(lede)], index))
    for part in parts:
        if "@@" not in part:
            continue
        for pattern, role_a, role_b in _ROLE_RES:
            for m in pattern.finditer(part):
                org_a, org_b = orgs[int(m.group("a"))], orgs[int(m.group("b"))]
                if org_a != org_b and org_a not in roles and org_b not in roles:
                    roles[org_a], roles[org_b] = role_a, role_b
    buyer = _BUYER_RE.match(parts[0])  # the headline starts with the buyer of an unknown company
    if buyer and orgs[int(buyer.group("a"))] not in roles:
        roles[orgs[int(buyer.group("a"))]] = "acquirer"
    return roles


_SUBJECT_ROLES = {"acquired", "investee", "borrower", "departed", "defendant"}
_COUNTERPARTY_ROLES = {"investor", "lender", "hirer", "plaintiff"}


class Attributor:
    """Everything :func:`attribute` needs for one set of organisations, built once: the matcher over their
    names, their kinds and the subject model. Classifiers build one when they are created, not per article."""

    def __init__(self, names: Mapping[str, Sequence[str]], kinds: Mapping[str, str], model: SubjectModel) -> None:
        """``names``: organisation id -> the names it is matched by; ``kinds``: id -> catalogue kind."""
        self.names = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in names.items()}
        self.matcher = matcher_for(self.names)
        self.kinds = dict(kinds)
        self.model = model

    @classmethod
    def for_names(cls, names: Mapping[str, Sequence[str]], catalogue: Mapping[str, Any], model: SubjectModel) -> Attributor:
        """An attributor for ``names``, with kinds from ``catalogue`` (``lab`` for an organisation not in it)."""
        return cls(names, {k: catalogue[k].kind if k in catalogue else "lab" for k in names}, model)

    def attribute(self, title: str, text: str, tags: Sequence[str], own: Sequence[str] = ()) -> list[OrgRole]:
        """:func:`attribute` with this attributor's organisations and model."""
        return attribute(title, text, tags, self.matcher, self.kinds, self.model, own=own)


def attribute(
    title: str,
    text: str,
    tags: Sequence[str],
    matcher: OrgMatcher,
    kinds: Mapping[str, str],
    model: SubjectModel,
    own: Sequence[str] = (),
) -> list[OrgRole]:
    """Return every organisation named in the article with its subject decision and deal role, best first.

    ``own`` names the organisations whose own channel the article comes from (a lab's blog, a provider's
    status page): when the article carries tags they are subjects whether or not the text names them ("We're
    cutting prices …").
    """
    title_hits = matcher.find(title or "")
    body_hits = matcher.find(text or "")
    orgs, x = features(title or "", text or "", title_hits, body_hits, tags, kinds)
    own_roles = [OrgRole(o, True, 1.0, "subject", False) for o in own if o not in orgs] if tags else []
    if not orgs:
        return own_roles
    probs = model.score(x)
    roles = deal_roles(title or "", text or "", title_hits, body_hits, orgs) if tags else {}
    in_title = {h.org for h in title_hits}
    subject = [bool(p >= model.threshold) or (bool(tags) and org in own) for p, org in zip(probs, orgs, strict=True)]
    for i, org in enumerate(orgs):
        role = roles.get(org)
        if role in _SUBJECT_ROLES or (role == "acquirer" and "m_and_a" in tags):
            subject[i] = True
        elif role in _COUNTERPARTY_ROLES:
            subject[i] = False
    if tags and not any(subject) and not own_roles:
        candidates = [i for i, o in enumerate(orgs) if o in in_title] or list(range(len(orgs)))
        subject[max(candidates, key=lambda i: probs[i])] = True
    out = [
        OrgRole(org, subject[i], round(float(probs[i]), 4),
                roles.get(org) or ("subject" if subject[i] else "mention"), org in in_title)
        for i, org in enumerate(orgs)
    ]
    out.sort(key=lambda r: (not r.subject, -r.score))
    return own_roles + out
