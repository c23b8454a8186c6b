"""Generate the labelled train/validation/test JSONL files from the hand-written templates.

Run ``python -m classifiers.data.build_dataset`` (deterministic: fixed seed). Each template is a story
skeleton; each *instance* fills it with different providers, investors, amounts, people and phrasings and
is one story (sometimes reported twice, by different outlets with different wording: same ``story`` id).
Templates, not instances, are assigned to splits, so the test split only contains sentence structures never
seen in training and no story crosses splits.

Output lines: ``{"id", "title", "text", "tags": [...], "story"}``.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from pathlib import Path
from typing import Any

from classifiers.data import fillers as F
from classifiers.data.templates_finance import DEBT, FUNDING, LOSSES, REVENUE, Template
from classifiers.data.templates_ops import (
    COMPUTE,
    DEPRECATION,
    LAYOFFS,
    LEADERSHIP,
    LEGAL,
    M_AND_A,
    OUTAGE,
    PRICING,
)
from classifiers.data.templates_other import MULTI, NONE

SEED = 20240611
DATA_DIR = Path(__file__).resolve().parent
INSTANCES_PER_TEMPLATE = 6
SECOND_OUTLET_PROBABILITY = 0.2
SPLIT_FRACTIONS = {"test": 0.25, "validation": 0.15}

GROUPS: dict[str, list[Template]] = {
    "fund": FUNDING,
    "debt": DEBT,
    "loss": LOSSES,
    "rev": REVENUE,
    "layoff": LAYOFFS,
    "lead": LEADERSHIP,
    "compute": COMPUTE,
    "price": PRICING,
    "deprec": DEPRECATION,
    "outage": OUTAGE,
    "mna": M_AND_A,
    "legal": LEGAL,
    "none": NONE,
    "multi": MULTI,
}

_REGULATOR_SHORT = {
    "the FTC": "FTC",
    "the European Commission": "EU",
    "Italy's data protection authority": "Italian regulator",
    "the UK's Competition and Markets Authority": "UK's CMA",
    "the SEC": "SEC",
    "the Justice Department": "DOJ",
    "Ireland's Data Protection Commission": "Irish watchdog",
    "France's CNIL": "CNIL",
    "Germany's Federal Cartel Office": "German cartel office",
    "South Korea's privacy watchdog": "Korean watchdog",
    "the California attorney general": "California AG",
    "Japan's Fair Trade Commission": "Japan FTC",
    "China's Cyberspace Administration": "Chinese regulator",
}

_EU_REGULATORS = (
    "the European Commission", "Italy's data protection authority", "Ireland's Data Protection Commission",
    "France's CNIL",
)
_DATELINES = (
    "{CITY} (Reuters) - ", "{CITY}, {month} {day} (Reuters) - ", "(Bloomberg) -- ", "{CITY} — ", "",
    "{CITY}, {month} {day} - ", "",
)
_FILLERS = (
    "The company did not respond to a request for comment.",
    "A spokesperson declined to comment.",
    "{outlet} could not independently verify the details.",
    "The news was first reported by {outlet}.",
    "Representatives for {name} did not immediately reply.",
    "{name} was founded in {founded}.",
    "The company is based in {city}.",
    "More details are expected in the coming weeks.",
    "This story has been updated with additional context.",
    "{name} confirmed the news in a post on X.",
)
_SMALL_WORDS = {"a", "an", "the", "and", "but", "or", "for", "nor", "on", "at", "to", "by", "of", "in", "as",
                "with", "from", "into", "its", "is"}


def _money(rng: random.Random, low: float, high: float) -> tuple[float, str]:
    """Draw an amount in [low, high] and format it."""
    value = F.amount(rng, low, high)
    return value, F.money(rng, value)


def context(rng: random.Random, template: Template) -> dict[str, Any]:
    """Draw a fresh set of slot values for one instance of ``template``."""
    blob = template[1] + " " + template[2]
    lab = rng.choice(F.LABS)
    cloud = rng.choice(F.CLOUDS)
    co = lab if rng.random() < 0.75 else cloud
    main = co if "{co}" in blob else (lab if "{lab}" in blob else cloud)
    lab2 = rng.choice([x for x in F.LABS if x.name not in (lab.name, co.name)])
    city = main.city
    amt_v, amt = _money(rng, 2e7, 1e10)
    val_v = amt_v * rng.uniform(4, 30)
    loss_v, loss = _money(rng, 1.5e8, 8e9)
    rev_v, rev = _money(rng, 5e7, 1.2e10)
    fine_v = F.amount(rng, 5e6, 5e8)
    price_old = round(rng.choice((0.5, 1.0, 2.5, 3.0, 5.0, 10.0, 15.0, 30.0, 60.0)), 2)
    price_new = round(price_old * rng.choice((0.2, 0.25, 0.4, 0.5, 0.6, 0.75)), 2)
    price_up = round(price_old * rng.choice((1.5, 2.0, 3.0, 4.0)), 2)
    regulator = rng.choice(F.REGULATORS)
    eu_regulator = rng.choice(_EU_REGULATORS)
    plaintiff = rng.choice(F.PLAINTIFFS)
    startup = rng.choice(F.STARTUPS)
    exec1 = rng.choice(F.PEOPLE)
    desc = rng.choice(("the startup", "the AI developer", f"the {city}-based company", "the model maker",
                       "the company"))
    return {
        "co": co.name,
        "lab": lab.name,
        "lab2": lab2.name,
        "cloud": cloud.name,
        "desc": desc,
        "desc_cap": desc[0].upper() + desc[1:],
        "inv": F.pick(rng, F.INVESTORS),
        "inv2": F.pick(rng, F.INVESTORS),
        "inv3": F.pick(rng, F.INVESTORS),
        "big": F.pick(rng, F.BIG_TECH),
        "amt": amt,
        "amt_small": F.money(rng, F.amount(rng, 2e6, 8e7)),
        "amt_big": F.money(rng, F.amount(rng, 1e9, 3e10)),
        "amt_total": F.money(rng, amt_v * rng.uniform(1.5, 4)),
        "val": F.money(rng, val_v),
        "series": rng.choice("ABBCCDEF"),
        "city": city,
        "other_city": F.pick(rng, F.CITIES, avoid=city),
        "product": rng.choice(main.products),
        "model": rng.choice(main.models),
        "old_model": rng.choice(main.models) + rng.choice(("", " (legacy)", "-0613", " v1", "-preview")),
        "new_model": rng.choice(F.NEW_MODEL_NAMES),
        "area": rng.choice(F.PRODUCT_AREAS),
        "outlet": rng.choice(F.OUTLETS),
        "date": rng.choice(F.DATES),
        "region": rng.choice(F.REGIONS),
        "exec": exec1,
        "exec2": F.pick(rng, F.PEOPLE, avoid=exec1),
        "role": rng.choice(F.ROLES),
        "debt": F.money(rng, F.amount(rng, 1e8, 1e10)),
        "debt_small": F.money(rng, F.amount(rng, 1e7, 2e8)),
        "lender": F.pick(rng, F.LENDERS),
        "lender2": F.pick(rng, F.LENDERS),
        "pct": str(rng.choice((5, 8, 10, 12, 15, 20, 25, 30, 40))),
        "pct_small": f"{rng.uniform(6, 11):.2f}".rstrip("0").rstrip("."),
        "pct_big": str(rng.choice((35, 50, 60, 75, 80, 120, 150, 200))),
        "loss": loss,
        "loss_m": F.money(rng, F.amount(rng, 3e7, 1e9)),
        "loss_small": F.money(rng, loss_v * rng.uniform(0.2, 0.6)),
        "quarter": rng.choice(F.QUARTERS),
        "year": str(rng.choice((2024, 2025))),
        "year2": str(rng.choice((2027, 2028, 2029, 2030))),
        "n_months": str(rng.choice((4, 6, 8, 9, 12, 14, 18))),
        "cloud_partner": F.pick(rng, F.CLOUD_PARTNERS, avoid=co.name),
        "ratio": rng.choice(("$2.35", "$1.80", "$3", "$4.10", "$2")),
        "month": rng.choice(F.MONTHS),
        "rev": rev,
        "rev_old": F.money(rng, rev_v / rng.uniform(2, 4)),
        "rev_q": F.money(rng, rev_v / 4),
        "n_subs": rng.choice(("1 million", "5 million", "10 million", "2.5 million", "500,000")),
        "n_staff": str(rng.choice((12, 20, 35, 40, 60, 75, 90, 120, 150, 200, 300, 450))),
        "n_staff_total": str(rng.choice((150, 300, 500, 800, 1200))),
        "chipmaker": F.pick(rng, F.CHIPMAKERS, avoid=co.name),
        "chip": rng.choice(F.CHIPS),
        "n_chips": rng.choice(("10,000", "20,000", "50,000", "100,000", "200,000", "16,000", "25,000")),
        "gw": rng.choice(("1-gigawatt", "300-megawatt", "500-megawatt", "2-gigawatt", "150-megawatt")),
        "dc_loc": rng.choice(F.DC_LOCATIONS),
        "price_new": F.price(rng, price_new),
        "price_old": F.price(rng, price_old),
        "price_up": F.price(rng, price_up),
        "date_future": f"{rng.choice(F.MONTHS)} {rng.randint(1, 28)}, {rng.choice((2025, 2026))}",
        "hours": str(rng.choice((2, 3, 4, 5, 6, 7, 9))),
        "startup": startup,
        "startup_cap": startup[0].upper() + startup[1:],
        "regulator": regulator,
        "regulator_short": _REGULATOR_SHORT.get(regulator, regulator),
        "eu_regulator": eu_regulator,
        "eu_regulator_short": _REGULATOR_SHORT.get(eu_regulator, eu_regulator),
        "plaintiff": plaintiff,
        "plaintiff_lc": plaintiff if plaintiff.split()[0] not in ("A", "An") else plaintiff[0].lower() + plaintiff[1:],
        "country": rng.choice(F.COUNTRIES),
        "fine": F.money(rng, fine_v),
        "fund": F.money(rng, F.amount(rng, 2e8, 8e9)),
        "users": rng.choice(("100 million", "250 million", "50 million", "400 million", "20 million")),
        "_name": main.name if any(f"{{{k}}}" in blob for k in ("co", "lab", "cloud")) else "",
        "_city": city if any(f"{{{k}}}" in blob for k in ("co", "lab", "cloud")) else rng.choice(F.CITIES),
    }


_CHOICE_RE = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")


def render(rng: random.Random, pattern: str, ctx: dict[str, Any]) -> str:
    """Fill ``pattern``: first ``[a|b]`` choices, then ``{slot}`` values."""
    text = _CHOICE_RE.sub(lambda m: rng.choice(m.group(1).split("|")), pattern)
    text = re.sub(r"\s+", " ", text.format(**ctx)).strip()
    first = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if first.islower() else text


def _title_case(title: str) -> str:
    """Headline-case a title without touching words that already contain capitals (xAI, GPT-4o)."""
    words = title.split(" ")
    out = []
    for i, w in enumerate(words):
        if w.islower() and w.isalpha() and (i == 0 or w not in _SMALL_WORDS):
            out.append(w[0].upper() + w[1:])
        else:
            out.append(w)
    return " ".join(out)


def dress(rng: random.Random, title: str, text: str, ctx: dict[str, Any]) -> tuple[str, str]:
    """Give an article an outlet's look: headline case, outlet suffix, dateline, a closing filler sentence."""
    outlet = rng.choice(F.OUTLETS)
    if rng.random() < 0.25:
        title = _title_case(title)
    if rng.random() < 0.15:
        title = f"{title} {rng.choice(('-', '|', '—'))} {outlet.removeprefix('the ').removeprefix('The ')}"
    dateline = rng.choice(_DATELINES).format(
        CITY=ctx["_city"].split(",")[0].upper(), month=rng.choice(F.MONTHS)[:3] + ".", day=rng.randint(1, 28)
    )
    text = dateline + text
    if rng.random() < 0.5:
        fillers = [f for f in _FILLERS if ctx["_name"] or ("{name}" not in f and "{city}" not in f)]
        filler = rng.choice(fillers).format(
            outlet=outlet, name=ctx["_name"], founded=rng.randint(2015, 2023), city=ctx["_city"]
        )
        text = f"{text} {filler}"
    return title, text


def split_templates(rng: random.Random, n: int) -> list[str]:
    """Assign each of ``n`` templates of a group to a split (by template, never by instance)."""
    order = list(range(n))
    rng.shuffle(order)
    n_test = max(1, round(n * SPLIT_FRACTIONS["test"]))
    n_val = max(1, round(n * SPLIT_FRACTIONS["validation"]))
    splits = [""] * n
    for rank, idx in enumerate(order):
        splits[idx] = "test" if rank < n_test else ("validation" if rank < n_test + n_val else "train")
    return splits


def build(seed: int = SEED) -> dict[str, list[dict[str, Any]]]:
    """Build all examples, grouped by split."""
    rng = random.Random(seed)
    out: dict[str, list[dict[str, Any]]] = {"train": [], "validation": [], "test": []}
    for group, templates in GROUPS.items():
        splits = split_templates(random.Random(f"{seed}-{group}"), len(templates))
        for t_idx, template in enumerate(templates):
            tags, title_p, text_p = template
            for k in range(INSTANCES_PER_TEMPLATE):
                story = f"{group}-{t_idx:02d}-{k}"
                ctx = context(rng, template)
                copies = 2 if rng.random() < SECOND_OUTLET_PROBABILITY else 1
                for c in range(copies):
                    title, text = dress(rng, render(rng, title_p, ctx), render(rng, text_p, ctx), ctx)
                    out[splits[t_idx]].append(
                        {"id": f"{story}-{c}", "title": title, "text": text, "tags": sorted(tags),
                         "story": story}
                    )
    for split in out.values():
        rng.shuffle(split)
    return out


def write(data: dict[str, list[dict[str, Any]]], directory: Path = DATA_DIR) -> None:
    """Write ``<split>.jsonl`` files into ``directory``."""
    for split, rows in data.items():
        with (directory / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def summary(data: dict[str, list[dict[str, Any]]]) -> str:
    """Return a short per-split, per-tag count table."""
    lines = []
    for split, rows in data.items():
        counts: Counter[str] = Counter()
        for row in rows:
            counts.update(row["tags"] or ["none"])
        lines.append(f"{split}: {len(rows)} examples; " + ", ".join(f"{k}={v}" for k, v in sorted(counts.items())))
    return "\n".join(lines)


def main() -> None:
    """Build and write the dataset, then print a summary."""
    data = build()
    write(data)
    print(summary(data))


if __name__ == "__main__":
    main()
