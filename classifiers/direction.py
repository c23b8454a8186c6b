"""Direction of a signal: did API prices go up or down, did money flow in or out.

* :func:`pricing_direction` -> ``"up"`` (price rise, rate limits or quotas tightened, free tier removed) or
  ``"down"`` (price cut, limits raised, free tier added), from phrasing or from an explicit
  ``$X -> $Y`` / ``from $X to $Y`` change.
* :func:`funding_direction` -> ``"in"`` (the provider receives money: raises, secures, lands, borrows) or
  ``"out"`` (money leaves or fails to arrive: investor pulls out or walks away, round collapses or stalls, stake
  sold, write-down, valuation cut or below an earlier mark, funding stopped, default called). Unambiguous "out"
  phrasings decide even beside the words of an ordinary raise; weaker ones must outnumber the "in" phrasings.
* :func:`direction_for` applies the pricing rule when ``api_pricing`` is among the tags, then the funding rule
  when a financing tag is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from classifiers.types import TagScore

_PRICE_OBJ = r"(?:api\s+)?(?:prices?|pricing|rates|costs?|fees?)"
_LIMIT_OBJ = r"(?:rate[\s-]?limits?|quotas?|usage\s+(?:caps?|limits?)|token\s+limits?|request\s+limits?)"

_PRICE_UP = [
    rf"\b(?:rais(?:e|es|ed|ing)|hik(?:e|es|ed|ing)|increas(?:e|es|ed|ing)|doubl(?:e|es|ed|ing)|tripl(?:e|es|ed|ing)|"
    rf"boost(?:s|ed|ing)?|lift(?:s|ed|ing)?|jack(?:s|ed|ing)?\s+up|hike\s+up)\s+(?:[^\s.,;]+\s+){{0,4}}?{_PRICE_OBJ}\b",
    rf"\b{_PRICE_OBJ}\s+(?:[^\s.,;]+\s+){{0,2}}?(?:hike|hikes|increase|increases|rise|rises|rose|jump|jumps|jumped|"
    rf"surge|surges|surged|climb|climbs|climbed|go(?:es)?\s+up|went\s+up|double[sd]?|tripled?)\b",
    r"\bprice\s+(?:hike|hikes|increase|increases|rise)\b",
    r"\bmore\s+expensive\b",
    r"\bpricier\b",
    rf"\b(?:tighten(?:s|ed|ing)?|lower(?:s|ed|ing)?|cut(?:s|ting)?|slash(?:es|ed|ing)?|reduc(?:e|es|ed|ing)|"
    rf"throttl(?:e|es|ed|ing)|cap(?:s|ped|ping)?|restrict(?:s|ed|ing)?)\s+(?:[^\s.,;]+\s+){{0,3}}?{_LIMIT_OBJ}",
    rf"\b{_LIMIT_OBJ}\s+(?:[^\s.,;]+\s+){{0,2}}?(?:tighten(?:s|ed)?|cut|cuts|slashed|reduced|lowered)\b",
    r"\b(?:end(?:s|ed|ing)?|scrap(?:s|ped|ping)?|kill(?:s|ed|ing)?|drop(?:s|ped|ping)?|remov(?:e|es|ed|ing))\s+"
    r"(?:[^\s.,;]+\s+){0,2}?free\s+(?:api\s+)?tier\b",
    r"\bfree\s+(?:api\s+)?tier\s+(?:[^\s.,;]+\s+){0,2}?(?:ends|ended|scrapped|removed|axed|killed)\b",
    r"\bsurcharge",
    r"\bup\s+from\s+(?:\$|€|£)",
    rf"\bimpos(?:e|es|ed|ing)\s+(?:[^\s.,;]+\s+){{0,3}}?(?:{_LIMIT_OBJ}|limits?|caps?)\b",
    r"\bcaps?\s+(?:[^\s.,;]+\s+){0,2}?requests\b",
]
_PRICE_DOWN = [
    rf"\b(?:cut(?:s|ting)?|slash(?:es|ed|ing)?|lower(?:s|ed|ing)?|reduc(?:e|es|ed|ing)|drop(?:s|ped|ping)?|"
    rf"halv(?:e|es|ed|ing)|trim(?:s|med|ming)?|chop(?:s|ped|ping)?|sla?sh(?:es|ed)?|ax(?:e|es|ed)|"
    rf"undercut(?:s|ting)?|discount(?:s|ed|ing)?)\s+(?:[^\s.,;]+\s+){{0,4}}?{_PRICE_OBJ}\b",
    rf"\b{_PRICE_OBJ}\s+(?:[^\s.,;]+\s+){{0,2}}?(?:cut|cuts|drop|drops|dropped|fall|falls|fell|plunge|plunges|plunged|"
    rf"tumble|tumbles|tumbled|decline|declines|declined|go(?:es)?\s+down|went\s+down|halved|slashed|reduced)\b",
    r"\bprice\s+(?:cut|cuts|drop|drops|reduction|reductions|war)\b",
    r"\bcheaper\b",
    r"\b(?:\d+|half)\s*(?:%|percent|per\s+cent)\s+(?:cheaper|lower|less|off|discount)\b",
    rf"\b(?:rais(?:e|es|ed|ing)|lift(?:s|ed|ing)?|increas(?:e|es|ed|ing)|doubl(?:e|es|ed|ing)|"
    rf"loosen(?:s|ed|ing)?|relax(?:es|ed|ing)?|eas(?:e|es|ed|ing)|expand(?:s|ed|ing)?|boost(?:s|ed|ing)?)\s+"
    rf"(?:[^\s.,;]+\s+){{0,3}}?{_LIMIT_OBJ}",
    r"\b(?:new|launch(?:es|ed)?|adds?|added|introduc(?:e|es|ed))\s+(?:[^\s.,;]+\s+){0,2}?free\s+(?:api\s+)?tier\b",
]
_PRICE_DOWN += [
    r"\bdown\s+from\s+(?:\$|€|£)",
    r"\b(?:cut|cuts|lower|lowers|lowered|reduc(?:e|es|ed))\s+what\s+(?:[^\s.,;]+\s+){0,2}?pay\b",
    r"\blower\s+(?:[^\s.,;]+\s+){0,2}?(?:prices|rates)\b",
]
_PRICE_UP += [r"\bhigher\s+(?:[^\s.,;]+\s+){0,2}?(?:prices|rates)\b"]
_PRICE_UP_RE = [re.compile(p, re.IGNORECASE) for p in _PRICE_UP]
_PRICE_DOWN_RE = [re.compile(p, re.IGNORECASE) for p in _PRICE_DOWN]
_PRICE_CHANGE_RE = re.compile(
    r"(?:from\s+)?\$(?P<a>\d+(?:\.\d+)?)\s*(?:->|→|to|=>)\s*\$(?P<b>\d+(?:\.\d+)?)",
    re.IGNORECASE,
)

_FUND_IN = [
    r"\b(?:rais(?:e|es|ed|ing)|secur(?:e|es|ed|ing)|land(?:s|ed|ing)?|clos(?:e|es|ed|ing)|bag(?:s|ged)?|"
    r"net(?:s|ted)?|snag(?:s|ged)?|nab(?:s|bed)?|win(?:s)?|won|receiv(?:e|es|ed)|get(?:s)?|got|attract(?:s|ed)?|"
    r"borrow(?:s|ed|ing)?|tap(?:s|ped)?|obtain(?:s|ed)?)\s+(?:[^\s.,;]+\s+){0,6}?"
    r"(?:funding|round|investment|financing|capital|loan|credit|debt|(?:US|C|A)?\$|€|£|series)",
    r"\b(?:invest(?:s|ed|ing)?|pour(?:s|ed|ing)?|pump(?:s|ed|ing)?|inject(?:s|ed|ing)?|commit(?:s|ted)?)\s+"
    r"(?:[^\s.,;]+\s+){0,4}?(?:in|into)\b",
    r"\b(?:funding|series\s+[a-h]|seed)\s+round\b",
    r"\bled\s+by\b",
    r"\b(?:valuation|valued\s+at)\b",
    r"\bbacked\s+by\b",
    r"\bfunding\s+from\b",
    r"\b(?:extend(?:s|ed)?|provid(?:e|es|ed|ing)|lend(?:s|ing)?|lent|commit(?:s|ted)?|arrang(?:e|es|ed)|"
    r"issu(?:e|es|ed)|sell(?:s)?|sold|pric(?:e|es|ed)|upsiz(?:e|es|ed)|draw(?:s|n)?|drew)\s+"
    r"(?:[^\s.,;]+\s+){0,5}?(?:loans?|credit|financing|notes|bonds?|facility|debt)\b",
    r"\b(?:credit\s+(?:line|facility)|term\s+loan|debt\s+(?:facility|financing|deal))\b",
]
_FUND_OUT = [
    r"\b(?:pull(?:s|ed|ing)?|back(?:s|ed|ing)?|walk(?:s|ed|ing)?)\s+out\b",
    r"\b(?:withdraw(?:s|n|ing)?|withdrew|pull(?:s|ed|ing)?)\s+(?:[^\s.,;]+\s+){0,3}?"
    r"(?:funding|investment|support|commitment|offer|backing|money|capital)",
    r"\b(?:talks|round|deal|funding|raise|investment|financing)\s+(?:[^\s.,;]+\s+){0,2}?"
    r"(?:collaps(?:e|es|ed)|fall(?:s)?\s+(?:through|apart)|fell\s+(?:through|apart)|stall(?:s|ed)?|"
    r"falter(?:s|ed)?|scrapped|shelved|cancel(?:l)?ed)\b",
    r"\b(?:sell(?:s|ing)?|sold|dump(?:s|ed|ing)?|offload(?:s|ed|ing)?|unload(?:s|ed|ing)?)\s+(?:[^\s.,;]+\s+){0,3}?"
    r"(?:stake|holding|position)",
    r"\b(?:redemption|redemptions|clawback|claw\s+back)\b",
    r"\b(?:fail(?:s|ed)?\s+to\s+raise|struggl(?:e|es|ed|ing)\s+to\s+raise|unable\s+to\s+raise)\b",
    r"\b(?:cash\s+burn|burn(?:s|ed|ing)?\s+(?:through\s+)?(?:\$|cash|money))",
    r"\bdefault(?:s|ed)?\s+on\b",
]
_FUND_OUT_STRONG = [
    # unambiguous: they decide "out" even beside the words of an ordinary raise ("raises at a valuation below ...")
    # investors leaving or shrinking a commitment
    r"\b(?:walk(?:s|ed|ing)?\s+away|pull(?:s|ed|ing)?\s+back|back(?:s|ed|ing)?\s+away|drop(?:s|ped|ping)?\s+out|"
    r"exit(?:s|ed|ing)?\s+(?:the\s+)?(?:talks|round|deal))\b",
    r"\b(?:scal(?:e|es|ed|ing)\s+back|shrink(?:s|ing)?|shrank|shrunk|cut(?:s|ting)?|trim(?:s|med|ming)?|halv(?:e|es|ed|ing))\s+"
    r"(?:[^\s.,;]+\s+){0,3}?(?:pledge|commitment|investment|stake|cheque|check|ipo|offering|listing)\b",
    r"\b(?:stop(?:s|ped|ping)?|halt(?:s|ed|ing)?|end(?:s|ed|ing)?|cut(?:s|ting)?\s+off)\s+(?:[^\s.,;]+\s+){0,3}?"
    r"(?:funding|financing|bankrolling|investment)\b",
    r"\bpull(?:s|ed|ing)?\s+the\s+plug\b",
    # a lower valuation than before
    r"\b(?:cut(?:s|ting)?|slash(?:es|ed|ing)?|lower(?:s|ed|ing)?|reduc(?:e|es|ed|ing)|trim(?:s|med|ming)?|halv(?:e|es|ed|ing))\s+"
    r"(?:[^\s.,;]+\s+){0,3}?valuation",
    r"\bvaluation\s+(?:[^\s.,;]+\s+){0,2}?(?:cut|slashed|falls|fell|drops|dropped|plunges|plunged|halved|shrinks|shrank)\b",
    r"\b(?:below|under|less\s+than|a\s+fraction\s+of)\s+(?:[^\s.,;]+\s+){0,4}?(?:valuation|valued|raised|range|"
    r"asking\s+price|last\s+round|previous\s+round|peak|mark)\b",
    r"\bflat\s+round\b",
    r"\b(?:write[\s-]?down|writes\s+down|wrote\s+down|marks?\s+down|marked\s+down|down[\s-]?round)\b",
    r"\bhalf\s+(?:of\s+)?(?:its|the|their)\s+(?:previous|last|prior|earlier|peak)\s+(?:mark|valuation|value)\b",
    r"\bwrit(?:e|es|ing|ten)\s+(?:[^\s.,;]+\s+){0,3}?(?:down|off)\b|\bwrite-?offs?\b",
    r"\b(?:at\s+nothing|at\s+zero|wiped\s+out)\b",
    # a raise that stalls
    r"\b(?:raise|round|funding|fundraising|financing|ipo|offering)\s+(?:[^\s.,;]+\s+){0,3}?(?:in\s+jeopardy|at\s+risk|"
    r"on\s+hold|flops?|flopped|stalls|stalled|falters|faltered|fails|failed|sank|sinks|snag|hits\s+(?:a\s+)?snag)\b",
    r"\b(?:miss(?:es|ed|ing)?|abandon(?:s|ed|ing)?)\s+(?:[^\s.,;]+\s+){0,2}?(?:its\s+)?(?:raise|round|fundraising|ipo)\b",
    r"\b(?:called|declared|triggered)\s+(?:a\s+)?default\b|\bcovenant\s+breach",
]
_FUND_IN_RE = [re.compile(p, re.IGNORECASE) for p in _FUND_IN]
_FUND_OUT_RE = [re.compile(p, re.IGNORECASE) for p in _FUND_OUT]
_FUND_OUT_STRONG_RE = [re.compile(p, re.IGNORECASE) for p in _FUND_OUT_STRONG]

FUNDING_TAGS = ("funding_raise", "debt_financing")
"""Tags whose direction is the funding direction."""


def _count(patterns: list[re.Pattern[str]], text: str) -> int:
    """Return how many of ``patterns`` match ``text``."""
    return sum(1 for p in patterns if p.search(text))


def pricing_direction(text: str) -> str | None:
    """Return ``"up"`` or ``"down"`` for an API pricing change described in ``text``, or None if unclear.

    An explicit ``$X -> $Y`` change decides; otherwise the phrase rules, and when both directions match, the
    shortest (tightest verb-object) match wins.
    """
    if not text:
        return None
    change = _PRICE_CHANGE_RE.search(text)
    if change:
        a, b = float(change.group("a")), float(change.group("b"))
        if a != b:
            return "down" if b < a else "up"
    best: dict[str, int] = {}
    for direction, patterns in (("up", _PRICE_UP_RE), ("down", _PRICE_DOWN_RE)):
        for pattern in patterns:
            for match in pattern.finditer(text):
                length = match.end() - match.start()
                best[direction] = min(best.get(direction, length), length)
    if not best:
        return None
    if len(best) == 1:
        return next(iter(best))
    # Both directions matched ("raises $6bn and cuts API prices"): the tightest verb-object match wins.
    if best["up"] == best["down"]:
        return None
    return "up" if best["up"] < best["down"] else "down"


def funding_direction(text: str) -> str | None:
    """Return ``"in"`` (money flows to the provider) or ``"out"`` (it leaves or falls through), or None."""
    if not text:
        return None
    if _count(_FUND_OUT_STRONG_RE, text):
        return "out"
    out = _count(_FUND_OUT_RE, text)
    inn = _count(_FUND_IN_RE, text)
    if out and out >= inn:
        return "out"
    if inn:
        return "in"
    return None


def _tag_names(tags: Iterable[str | TagScore]) -> set[str]:
    """Normalise a mix of tag names and :class:`TagScore` objects to a set of names."""
    return {t.tag if isinstance(t, TagScore) else str(t) for t in tags}


def direction_for(tags: Iterable[str | TagScore], title: str, text: str) -> str | None:
    """Pick the direction for an article with ``tags``: api_pricing first (title, then body), then funding."""
    names = _tag_names(tags)
    if "api_pricing" in names:
        found = pricing_direction(title) or pricing_direction(f"{title}. {text}")
        if found:
            return found
    if names.intersection(FUNDING_TAGS):
        return funding_direction(title) or funding_direction(f"{title}. {text}")
    return None
