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
    "against": (
        "against",
        "sues",
        "sued",
        "suing",
        "probe",
        "probes",
        "fines",
        "fined",
        "investigate",
        "investigates",
    ),
    "of": ("of",),
    "for": ("for",),
    "buys": (
        "buys",
        "buy",
        "acquires",
        "acquire",
        "acquiring",
        "acquired",
        "purchase",
        "purchases",
        "takeover",
        "snaps",
        "absorbs",
    ),
    "backed": ("backed", "backers", "backer", "investors", "investor", "led", "including", "like"),
    "and": ("and", "&"),
    "rival": ("rival", "rivals", "than", "vs", "versus", "competitor", "unlike", "beats"),
    "at": ("at",),
    "former": ("former", "ex", "formerly", "previously", "veteran", "alum", "alumni", "ex-"),
}
_AFTER = {
    "backed": ("-backed", "backed", "-funded", "funded", "-led", "led"),
    "poss": ("'s", "’s", "s'"),
    "verb_event": (
        "raises",
        "raised",
        "secures",
        "secured",
        "lands",
        "closes",
        "files",
        "lays",
        "cuts",
        "slashes",
        "loses",
        "lost",
        "posts",
        "burns",
        "names",
        "appoints",
        "hires",
        "taps",
        "ousts",
        "exits",
        "retires",
        "deprecates",
        "sunsets",
        "shuts",
        "sued",
        "faces",
        "fined",
        "agrees",
        "signs",
        "hits",
        "reaches",
        "tops",
        "doubles",
        "halts",
        "stalls",
        "misses",
        "seeks",
        "eyes",
        "weighs",
        "nears",
        "valued",
        "borrows",
        "taps",
        "inks",
        "strikes",
        "wins",
        "is",
        "was",
        "has",
        "will",
        "to",
        "in",
        "said",
        "says",
    ),
    "verb_buy": (
        "acquires",
        "acquire",
        "buys",
        "buy",
        "to buy",
        "to acquire",
        "snaps",
        "absorbs",
        "takes",
        "agrees to buy",
    ),
    "verb_invest": (
        "invests",
        "invest",
        "invested",
        "backs",
        "leads",
        "led",
        "pours",
        "puts",
        "commits",
        "pledges",
        "injects",
        "writes",
    ),
    "verb_sue": ("sues", "sued", "files suit", "accuses"),
    "and": ("and", "&", ","),
    "comma": (",",),
    "rival": ("rival", "challenger", "competitor", "alternative", "killer", "-like", "clone", "rivals"),
    "product": (
        "gpus",
        "gpu",
        "chips",
        "chip",
        "servers",
        "hardware",
        "accelerators",
        "h100",
        "h100s",
        "h200",
        "h200s",
        "h20",
        "blackwell",
        "hopper",
        "processors",
        "superchips",
        "tpus",
    ),
}
_TOKEN = re.compile(r"[A-Za-z]+|[’'`-][A-Za-z]+|[,&]")
FEATURE_NAMES: tuple[str, ...] = (
    "bias_title",
    "title_first",
    "title_start",
    "title_pos",
    "title_count",
    "in_body",
    "body_first",
    "body_count",
    "share",
    "only_org",
    "n_orgs_inv",
    "investor_kind",
    "big_kind",
    *(f"tb_{k}" for k in _BEFORE),
    *(f"ta_{k}" for k in _AFTER),
    *(f"bb_{k}" for k in _BEFORE),
    *(f"ba_{k}" for k in _AFTER),
    "tag_funding",
    "tag_mna",
    "tag_compute",
    "tag_legal",
    "tag_deprecation",
    "funding_x_tb_in",
    "funding_x_tb_from_by",
    "funding_x_ta_backed",
    "mna_x_tb_buys",
    "mna_x_ta_buy",
    "legal_x_tb_against",
    "deprecation_x_tb_in_on",
    "product_x_not_compute",
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
        return SubjectModel(
            np.asarray(data["weights"], dtype=np.float64),
            float(data["bias"]),
            float(data["threshold"]),
            str(data["version"]),
            dict(data.get("metrics") or {}),
        )
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ClassifierError(f"cannot load the subject model {p} ({exc})") from exc


def _words_before(text: str, start: int, n: int = 2) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text[max(0, start - 40) : start])][-n:]


def _after(text: str, end: int) -> str:
    return text[end : end + 24].lower()


def _context(prefix: str, text: str, hit: Hit, vec: np.ndarray) -> None:
    before = _words_before(text, hit.start)
    for key, words in _BEFORE.items():
        if any(w in words for w in before[-1:]) or (
            key in ("buys", "backed", "against") and any(w in words for w in before)
        ):
            vec[_INDEX[f"{prefix}b_{key}"]] = 1.0
    after = _after(text, hit.end)
    stripped = after.lstrip()
    for key, words in _AFTER.items():
        if key in ("backed", "poss"):
            if any(after.startswith(w) for w in words):
                vec[_INDEX[f"{prefix}a_{key}"]] = 1.0
        elif any(
            stripped.startswith(w + " ") or stripped.startswith(w + ",") or stripped == w for w in words
        ):
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
        vec[_INDEX["funding_x_tb_from_by"]] = fund * max(
            vec[_INDEX["tb_from"]], vec[_INDEX["tb_by"]], vec[_INDEX["tb_backed"]], vec[_INDEX["bb_backed"]]
        )
        vec[_INDEX["funding_x_ta_backed"]] = fund * max(
            vec[_INDEX["ta_backed"]], vec[_INDEX["ta_verb_invest"]]
        )
        vec[_INDEX["mna_x_tb_buys"]] = mna * max(vec[_INDEX["tb_buys"]], vec[_INDEX["tb_of"]])
        vec[_INDEX["mna_x_ta_buy"]] = mna * vec[_INDEX["ta_verb_buy"]]
        vec[_INDEX["legal_x_tb_against"]] = vec[_INDEX["tag_legal"]] * vec[_INDEX["tb_against"]]
        # "X deprecated in GitHub Models", "retired on Cerebras": the platform is the one acting
        vec[_INDEX["deprecation_x_tb_in_on"]] = vec[_INDEX["tag_deprecation"]] * max(
            vec[_INDEX["tb_in"]], vec[_INDEX["tb_on"]]
        )
        # "borrows $200M to buy Nvidia GPUs": a supplier's product is named, the supplier is no party unless it is a
        # compute deal
        product = max(
            vec[_INDEX["ta_product"]], vec[_INDEX["ba_product"]] * (1.0 - vec[_INDEX["bias_title"]])
        )
        vec[_INDEX["product_x_not_compute"]] = product * (1.0 - vec[_INDEX["tag_compute"]])
    return orgs, x


ROLE_TEXT_CHARS = 600
"""Deal phrasing is read in the headline and the first characters of the text (the lede)."""
_ROLE_PATTERNS: tuple[tuple[str, str, str], ...] = (
    # (regex with {A} and {B} placeholders, role of A, role of B)
    # compute purchases first: "to buy Nvidia GPUs" is a product bought, not Nvidia
    (
        r"{A}[^\w.;]+(?:[^.;]{{0,40}}?)\b(?:buys?|buying|to\s+buy|purchases?|orders?|rents?|leases?|deploys?)[^\w.;]+"
        r"(?:[^.;]{{0,30}}?){B}'?s?\s+(?:\w+\s+)?(?:gpus?|chips?|servers?|accelerators?|compute|capacity|tpus?|systems)\b",
        "customer",
        "supplier",
    ),
    (
        r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,4}}?(?:to\s+)?(?:acquires?|acquired|buys?|bought|snaps\s+up|absorbs|takes\s+over|"
        r"agrees\s+to\s+(?:buy|acquire)|completes\s+(?:its\s+)?acquisition\s+of|is\s+acquiring)[^\w.;]+(?:\w+[^\w.;]+){{0,3}}?{B}",
        "acquirer",
        "acquired",
    ),
    (
        r"{B}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:is\s+|was\s+|to\s+be\s+)?(?:acquired|bought|snapped\s+up)\s+by[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?{A}",
        "acquirer",
        "acquired",
    ),
    (
        r"{A}'?s?[^\w.;]+(?:\$[\d.,]+\s*\w*\s+)?(?:acquisition|purchase|takeover|buyout)\s+of[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?{B}",
        "acquirer",
        "acquired",
    ),
    (
        r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,4}}?(?:invests?|invested|backs|pours|puts?|commits|pledges|injects|leads)[^\w.;]+"
        r"(?:[^.;]{{0,60}}?)\b(?:in|into)[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?{B}",
        "investor",
        "investee",
    ),
    (
        r"{B}[^\w.;]+(?:[^.;]{{0,80}}?)\b(?:raises?|raised|secures?|secured|lands|closes|gets|wins)\b[^.;]{{0,80}}?"
        r"\b(?:from|led\s+by|backed\s+by|including)[^\w.;]+(?:[^.;]{{0,40}}?){A}",
        "investor",
        "investee",
    ),
    (r"{A}[-\s](?:backed|funded)\s+(?:\w+[^\w.;]+){{0,2}}?{B}", "investor", "investee"),
    (r"{A}'?s?\s+{B}\s+(?:bid|takeover|acquisition|purchase|buyout)\b", "acquirer", "acquired"),
    (
        r"{A}'?s?[^\w.;]+(?:\$[\d_,]+\s*\w*\s+)?{B}\s+(?:sell-?down|selldown|stake\s+sale|share\s+sale)\b",
        "investor",
        "investee",
    ),
    (
        r"{A}\s+(?:doubles|ups|raises|boosts|increases|triples|lifts)\s+(?:its\s+)?{B}\s+(?:bet|stake|investment|holding)",
        "investor",
        "investee",
    ),
    (
        r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:pays?|paid|paying|sets\s+aside|set\s+aside|offers|bids)[^\w.;]+[^.;]{{0,40}}?\bfor\b[^.;]{{0,30}}?{B}",
        "investor",
        "investee",
    ),
    (
        r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:sells?|sold|dumps|offloads|unloads|trims|cuts)[^\w.;]+(?:[^.;]{{0,30}}?){B}'?s?[^\w.;]+"
        r"(?:\w+[^\w.;]+){{0,1}}?(?:shares|stake|holding)",
        "investor",
        "investee",
    ),
    (
        r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:sues|sued|suing|files\s+suit\s+against|takes\s+\w+\s+fight\s+to)[^\w.;]+{B}",
        "plaintiff",
        "defendant",
    ),
    (
        r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,4}}?(?:licen[cs]es?|licen[cs]ing|licen[cs]e)[^\w.;]+(?:\w+[^\w.;]+){{0,3}}?{B}'?s?[^\w.;]+"
        r"(?:\w+[^\w.;]+){{0,3}}?(?:models?|technology|tech|staff|team|employees|founders?)",
        "acquirer",
        "acquired",
    ),
    (
        r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?(?:hires?|hired|hiring|lands|poach(?:es|ed)?|taps|tapped|names|named|appoints|"
        r"appointed|recruits|recruited|takes|took|nabs)[^\w.;]+(?:\w+[^\w.;]+){{0,2}}?{B}'?s?[^\w.;]+(?:\w+[^\w.;]+){{0,1}}?"
        r"(?:chief|ceo|cto|cfo|co-?founders?|founders?|executives?|head|president|leaders?|leadership|team|staff)",
        "hirer",
        "departed",
    ),
    (
        r"{A}[^\w.;]+(?:\w+[^\w.;]+){{0,3}}?(?:lends?|loans?|extends\s+(?:a\s+)?credit)[^\w.;]+(?:[^.;]{{0,40}}?){B}",
        "lender",
        "borrower",
    ),
    (
        r"{B}[^\w.;]+(?:[^.;]{{0,60}}?)\b(?:loan|credit\s+facility|debt\s+financing|credit\s+line)\b[^.;]{{0,60}}?"
        r"\b(?:from|led\s+by|with)[^\w.;]+(?:[^.;]{{0,30}}?){A}",
        "lender",
        "borrower",
    ),
)


_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")
_A = r"@@(?P<a>\d+)@@"
_B = r"@@(?P<b>\d+)@@"
_ROLE_RES = tuple((re.compile(p.format(A=_A, B=_B), re.IGNORECASE), ra, rb) for p, ra, rb in _ROLE_PATTERNS)
_BUYER_RE = re.compile(
    _A + r"[^\w.;]+(?:\w+[^\w.;]+){0,2}?(?:to\s+)?(?:acquires?|buys?|snaps\s+up|absorbs|takes\s+over|"
    r"agrees\s+to\s+(?:buy|acquire)|completes\s+(?:its\s+)?acquisition\s+of|is\s+acquiring)\b",
    re.IGNORECASE,
)
"""An acquirer whose target is not a catalogue organisation ("Anthropic acquires Bun")."""
_BUYER_ANY_RE = re.compile(
    _A + r"[^\w.;]+(?:\w+[^\w.;]+){0,2}?(?:to\s+)?(?:acquires?|acquired(?!\s+by)|buys?|bought(?!\s+by)|buying|"
    r"snaps\s+up|scoops\s+up|picks\s+up|snags|adds|absorbs|takes\s+over|wraps\s+up|"
    r"(?:completes|closes|makes|confirms|agrees|signs|strikes|seals)\s+(?:its\s+)?(?:\w+\s+){0,3}?"
    r"(?:acquisition|purchase|takeover|deal\s+to\s+(?:buy|acquire)|buyout)|"
    r"(?:pays?|paid|spends?|spent)\s+[^.;]{0,40}?\b(?:for|on)\b|takes\s+[^.;]{0,40}\bin-house)\b"
    r"|(?:acquired|bought|snapped\s+up)\s+by\s+(?:\w+\s+){0,2}?@@(?P<p>\d+)@@|\b(?:sells?|sold)\s+(?:itself\s+)?to\s+@@(?P<s>\d+)@@"
    r"|\b(?:joins|merges\s+into)\s+@@(?P<j>\d+)@@",
    re.IGNORECASE,
)
"""The buyer anywhere in the headline of an ``m_and_a`` article whose target the catalogue does not know ("Why Nvidia
bought Gretel", "Meta closes PlayAI purchase", "AMD pays $665m for Helsinki AI lab", "Enosemi joins AMD"); read
only when no other role was found for it."""
_FORMER_RE = re.compile(r"\b(?:former|ex-?)\s*" + _A, re.IGNORECASE)
"""An organisation named as someone's former employer ("Cohere lands former Meta FAIR chief"): background."""


def _marked(text: str, hits: Sequence[Hit], index: Mapping[str, int]) -> str:
    """``text`` with every organisation name replaced by ``@@k@@`` (k: the organisation's index) and decimal points
    replaced by ``_``, so that the patterns can treat ``.`` and ``;`` as the end of a clause ("$14.3 billion")."""
    out, last = [], 0
    for h in hits:
        if h.org in index:
            out.append(text[last : h.start])
            out.append(f"@@{index[h.org]}@@")
            last = h.end
    out.append(text[last:])
    return _DECIMAL.sub("_", "".join(out))


def deal_roles(
    title: str,
    text: str,
    title_hits: Sequence[Hit],
    body_hits: Sequence[Hit],
    orgs: Sequence[str],
    tags: Sequence[str] = (),
) -> dict[str, str]:
    """Roles of the organisations in a deal, read from phrasing in the headline, then the lede (first wins).

    Names are first replaced by numbered markers, so the fixed patterns of :data:`_ROLE_PATTERNS` run once per
    text whatever the organisations are.
    """
    roles: dict[str, str] = {}
    if not orgs:
        return roles
    index = {org: i for i, org in enumerate(orgs)}
    lede = (text or "")[:ROLE_TEXT_CHARS]
    parts = (
        _marked(title or "", title_hits, index),
        _marked(lede, [h for h in body_hits if h.end <= len(lede)], index),
    )
    for m in _FORMER_RE.finditer(parts[0]):  # before the patterns: "hires former Meta chief" is not Meta's event
        roles[orgs[int(m.group("a"))]] = "former"
    for part in parts:
        if "@@" not in part:
            continue
        for pattern, role_a, role_b in _ROLE_RES:
            for m in pattern.finditer(part):
                org_a, org_b = orgs[int(m.group("a"))], orgs[int(m.group("b"))]
                if org_a != org_b and org_a not in roles and org_b not in roles:
                    roles[org_a], roles[org_b] = role_a, role_b
                    # "A sues B and C", "A invests in B, C and D": the listed parties share B's role
                    for k in _listed(part, m.end()):
                        roles.setdefault(orgs[k], role_b)
    for part in parts:  # "Authors sue OpenAI and Microsoft": the plaintiff is no catalogue organisation
        for m in _SUED_RE.finditer(part):
            for k in [int(m.group("b")), *_listed(part, m.end())]:
                roles.setdefault(orgs[k], "defendant")
    buyer = _BUYER_RE.match(parts[0])  # the headline starts with the buyer of an unknown company
    if buyer and orgs[int(buyer.group("a"))] not in roles:
        roles[orgs[int(buyer.group("a"))]] = "acquirer"
    buyer = _BUYER_ANY_RE.search(parts[0]) if "m_and_a" in tags else None
    if buyer:
        roles.setdefault(orgs[int(next(g for g in buyer.groups() if g is not None))], "acquirer")
    for m in _BACKER_RE.finditer(parts[0]):  # "Microsoft-backed app builder files for insolvency"
        roles.setdefault(orgs[int(m.group("a"))], "investor")
    target = _TARGET_RE.match(parts[0])  # an unknown company buys a catalogue one ("SpaceX buys xAI")
    if target:
        roles.setdefault(orgs[int(target.group("b"))], "acquired")
    backer = _INVESTOR_RE.match(parts[0])  # the headline starts with the investor in an unknown company
    if backer:
        roles.setdefault(orgs[int(backer.group("a"))], "investor")
    return roles


_LISTED = re.compile(r"(?:(?:\s*,\s*|\s+(?:and|&)\s+|\s*,\s*and\s+)@@\d+@@)+")
"""Further parties listed right after a deal party ("… and @@3@@, @@4@@")."""


def _listed(part: str, pos: int) -> list[int]:
    """Marker numbers of the parties listed at ``pos`` of a marked text ("and @@3@@, @@4@@"), else none."""
    m = _LISTED.match(part, pos)
    return [int(k) for k in m.group(0).split("@@")[1::2]] if m else []


_SUED_RE = re.compile(r"\b(?:sues?|sued|suing|files?\s+suit\s+against|lawsuits?\s+against|takes\s+\w+\s+to\s+court|"
                      r"class\s+action\s+against)\s+(?:\w+\s+)?" + _B, re.IGNORECASE)
"""A defendant whatever the plaintiff ("Authors sue OpenAI and Microsoft")."""
_INVESTOR_RE = re.compile(
    _A + r"[^\w.;]+(?:\w+[^\w.;]+){0,2}?(?:to\s+)?(?:invests?|backs|pours|puts|commits|pledges|injects|"
    r"leads)\b[^.;]{0,60}?\b(?:in|into)\s+(?!@@)[A-Z]",
    re.IGNORECASE,
)
"""An investor whose investee is not a catalogue organisation ("Nvidia to invest €860M in Nokia")."""
_TARGET_RE = re.compile(
    r"[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,2}\s+(?:to\s+)?(?:buys?|acquires?|snaps\s+up|absorbs|"
    r"takes\s+over|agrees\s+to\s+(?:buy|acquire))\s+(?:\w+\s+){0,2}?" + _B
)
"""A headline whose buyer is not a catalogue organisation but whose target is ("SpaceX buys xAI")."""
_BACKER_RE = re.compile(_A + r"[-\s](?:backed|funded|owned)\b", re.IGNORECASE)
"""An organisation named as the backer of the article's subject ("Nvidia-backed cloud …")."""
_LEAD_VERBS = (frozenset(_AFTER["verb_event"]) - {"has", "in", "is", "said", "says", "to", "was", "will"}) | frozenset(
    "acquires announces bags books buys collapses crosses delays discontinues drops ends enters explores hikes laid "  # noqa: SIM905
    "lowers nabs pauses plans prepares reports scores sells settles snags surpasses switches triples unveils warns".split()
)
_LEAD_SKIP = frozenset(
    "the a an how why what when who where which this that these those exclusive report reports breaking update analysis "  # noqa: SIM905
    "opinion inside us u.s. uk eu china chinese beijing washington judge court regulators investors startup start-up ai ftc sec doj "
    "cma shares stocks former ex top big tech new more another its their his her authors artists publishers lawmakers senators government officials employees staff workers sources".split()
)
_LEAD_WORD = re.compile(r"[A-Z][\w&.'’-]*")


def unknown_lead(title: str, title_hits: Sequence[Hit]) -> bool:
    """True when the headline opens with a company name the catalogue does not know, followed by an event verb
    ("Legora hits $5.6 billion valuation", "Cerence appoints …"): the event is that company's, so the catalogue
    organisations the headline names are not its subject by default."""
    words = (title or "").split()
    if not words or (title_hits and title_hits[0].start <= len(words[0])):
        return False
    first = words[0].strip(",:;\"'“”‘’()")
    second = words[1].strip(",:;\"'“”‘’()").lower() if len(words) > 1 else ""
    # one unknown capitalised word, then an event verb; two capitalised words are more often a person or a place
    # ("Yann LeCun plans …", "South Korea halts …")
    if not _LEAD_WORD.fullmatch(first) or first.lower() in _LEAD_SKIP or (first.isupper() and len(first) <= 4):
        return False  # FTC, SEC, EU: an actor, not a company in the news
    return second in _LEAD_VERBS


OTHERS_THRESHOLD = 0.8
"""Subject threshold for the organisations named by an article that already has its subject: one from an
organisation's own channel ("We've partnered with Nvidia"), or one whose headline opens with a company the
catalogue does not know (:func:`unknown_lead`). Chosen on real-dev among 0.8, 0.9 and 0.97 (roles only)."""
ROLE_PATTERNS_TEXT = repr(
    (
        _ROLE_PATTERNS,
        _BUYER_RE.pattern,
        _BUYER_ANY_RE.pattern,
        _FORMER_RE.pattern,
        _INVESTOR_RE.pattern,
        _BACKER_RE.pattern,
        _TARGET_RE.pattern,
        _LISTED.pattern,
        _SUED_RE.pattern,
        sorted(_LEAD_VERBS),
        sorted(_LEAD_SKIP),
        OTHERS_THRESHOLD,
    )
)
"""The fixed phrasing and decision rules as text, hashed into the subject model's version."""
NO_SIGNAL_ROLES: dict[str, frozenset[str]] = {"m_and_a": frozenset({"acquirer"})}
"""Roles that take part in an event of the tag without its risk: the acquirer of an acquisition is a subject (the
article's other events, "… as Claude Code reaches $1B", are its own) but gets no ``m_and_a`` signal."""


def takes_risk(role: str | None, tag: str) -> bool:
    """Whether an organisation with deal role ``role`` gets a signal of ``tag`` (see :data:`NO_SIGNAL_ROLES`)."""
    return role not in NO_SIGNAL_ROLES.get(tag, ())


def credited_tags(role: OrgRole, tags: Sequence[str]) -> list[str]:
    """The tags of an article that give ``role``'s organisation a signal: none unless it is a subject, and not the
    tags its deal role takes no risk from (:data:`NO_SIGNAL_ROLES`)."""
    if not role.subject:
        return []
    return [t for t in tags if takes_risk(role.role, t)]


_SUBJECT_ROLES = {"acquired", "investee", "borrower", "departed", "defendant"}
_COUNTERPARTY_ROLES = {"investor", "lender", "hirer", "plaintiff", "former"}


class Attributor:
    """Everything :func:`attribute` needs for one set of organisations, built once: the matcher over their
    names, their kinds and the subject model. Classifiers build one when they are created, not per article."""

    def __init__(
        self, names: Mapping[str, Sequence[str]], kinds: Mapping[str, str], model: SubjectModel
    ) -> None:
        """``names``: organisation id -> the names it is matched by; ``kinds``: id -> catalogue kind."""
        self.names = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in names.items()}
        self.matcher = matcher_for(self.names)
        self.kinds = dict(kinds)
        self.model = model

    @classmethod
    def for_names(
        cls, names: Mapping[str, Sequence[str]], catalogue: Mapping[str, Any], model: SubjectModel
    ) -> Attributor:
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
    roles = deal_roles(title or "", text or "", title_hits, body_hits, orgs, tags) if tags else {}
    in_title = {h.org for h in title_hits}
    # in an organisation's own channel, another organisation named is a subject only on strong evidence
    # the same when the headline opens with a company the catalogue does not know ("Cerence appoints former Intel
    # CEO …"): the event is most likely that company's
    strong = bool(tags) and (bool(own) or unknown_lead(title or "", title_hits))
    bar = max(model.threshold, OTHERS_THRESHOLD) if strong else model.threshold
    subject = [bool(p >= bar) or (bool(tags) and org in own) for p, org in zip(probs, orgs, strict=True)]
    for i, org in enumerate(orgs):
        role = roles.get(org)
        if role in _SUBJECT_ROLES or (role == "acquirer" and "m_and_a" in tags):
            subject[i] = True
        elif role in _COUNTERPARTY_ROLES:
            subject[i] = False
        elif role in ("supplier", "customer"):  # parties of a compute deal; else a product named in passing
            subject[i] = "compute_deal" in tags or (role == "customer" and subject[i])
    if tags and not any(subject) and not own_roles and not unknown_lead(title or "", title_hits):
        candidates = [i for i, o in enumerate(orgs) if roles.get(o) not in _COUNTERPARTY_ROLES | {"supplier"}]
        candidates = [i for i in candidates if orgs[i] in in_title] or candidates
        if candidates:
            subject[max(candidates, key=lambda i: probs[i])] = True
    out = [
        OrgRole(
            org,
            subject[i],
            round(float(probs[i]), 4),
            roles.get(org) or ("subject" if subject[i] else "mention"),
            org in in_title,
        )
        for i, org in enumerate(orgs)
    ]
    out.sort(key=lambda r: (not r.subject, -r.score))
    return own_roles + out
