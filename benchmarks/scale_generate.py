"""Generate a large, realistic capwatch database for the scale benchmarks (``docs/benchmarks.md``, "Scale").

The database is created and migrated by :class:`storage.store.Store` (so its schema is exactly the app's), then
filled in bulk: articles (titles and text built from per-tag templates and a word pool with a Zipf-like
frequency curve and a long tail of rare names and numbers), ``article_sources`` (one row per article, a second
one for ~8% seen in two feeds), stories (near-duplicate articles from several outlets, with a 384-dim embedding
like the MiniLM encoder's) and signals (~1.5 per article, 50 providers, 12 tags) over the last two years.

For speed the secondary indexes and the FTS triggers are dropped during the load and recreated afterwards from
their exact ``sqlite_master`` SQL, and the full-text index is built with FTS5's ``rebuild`` command; the result is
the same database the app would have written article by article (no ANALYZE is run: the app does not run it).

It also writes ``sources.toml`` (the 50 providers and the sources, valid for ``monitor.config``) and ``meta.json``
(counts, the generation time, the busiest providers and sources) next to the database for the other scripts.

Usage::

    python benchmarks/scale_generate.py --articles 1000000          # -> /tmp/capwatch-scale/scale.db
    python benchmarks/scale_generate.py --articles 20000 --db /tmp/small.db
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import sqlite3
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from storage.store import Store

DEFAULT_DIR = Path("/tmp/capwatch-scale")
DEFAULT_DB = DEFAULT_DIR / "scale.db"
EMBED_DIM = 384
MODEL_VERSION = "scale-bench-1"
DEMO_ARTICLES = Path(__file__).resolve().parent.parent / "monitor" / "demo" / "data" / "articles.json"

# ----------------------------------------------------------------------------------------------- providers
# (id, display name, aliases, kind): 50 providers, most-covered first (coverage follows a Zipf-like curve).
PROVIDERS: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("openai", "OpenAI", ("ChatGPT", "GPT-4o"), "lab"),
    ("anthropic", "Anthropic", ("Claude",), "lab"),
    ("google", "Google DeepMind", ("Gemini", "DeepMind"), "lab"),
    ("xai", "xAI", ("Grok", "Colossus"), "lab"),
    ("meta", "Meta AI", ("Llama",), "lab"),
    ("mistral", "Mistral AI", ("Mistral", "Le Chat"), "lab"),
    ("microsoft", "Microsoft Azure AI", ("Azure OpenAI",), "platform"),
    ("aws", "Amazon Bedrock", ("Bedrock",), "platform"),
    ("coreweave", "CoreWeave", (), "cloud"),
    ("deepseek", "DeepSeek", (), "lab"),
    ("cohere", "Cohere", ("Command R",), "lab"),
    ("perplexity", "Perplexity", ("Sonar",), "lab"),
    ("nvidia", "Nvidia NIM", ("NIM",), "platform"),
    ("together", "Together AI", (), "cloud"),
    ("groq", "Groq", ("GroqCloud",), "cloud"),
    ("lambda", "Lambda", ("Lambda Cloud",), "cloud"),
    ("alibaba", "Alibaba Cloud", ("Qwen",), "lab"),
    ("stability", "Stability AI", ("Stable Diffusion",), "lab"),
    ("huggingface", "Hugging Face", ("HuggingChat",), "platform"),
    ("cerebras", "Cerebras", (), "cloud"),
    ("fireworks", "Fireworks AI", (), "cloud"),
    ("crusoe", "Crusoe", ("Crusoe Cloud",), "cloud"),
    ("nebius", "Nebius", (), "cloud"),
    ("ai21", "AI21 Labs", ("Jamba",), "lab"),
    ("inflection", "Inflection AI", ("Pi",), "lab"),
    ("character", "Character.AI", (), "lab"),
    ("moonshot", "Moonshot AI", ("Kimi",), "lab"),
    ("zhipu", "Zhipu AI", ("GLM",), "lab"),
    ("baidu", "Baidu", ("Ernie",), "lab"),
    ("minimax", "MiniMax", ("Hailuo",), "lab"),
    ("replicate", "Replicate", (), "cloud"),
    ("sambanova", "SambaNova", (), "cloud"),
    ("runpod", "RunPod", (), "cloud"),
    ("vultr", "Vultr", (), "cloud"),
    ("anyscale", "Anyscale", (), "cloud"),
    ("voltagepark", "Voltage Park", (), "cloud"),
    ("reka", "Reka AI", (), "lab"),
    ("alephalpha", "Aleph Alpha", ("Luminous",), "lab"),
    ("writer", "Writer", ("Palmyra",), "lab"),
    ("runway", "Runway", (), "lab"),
    ("midjourney", "Midjourney", (), "lab"),
    ("yi", "01.AI", ("Yi-Large",), "lab"),
    ("sakana", "Sakana AI", (), "lab"),
    ("poolside", "Poolside", (), "lab"),
    ("magic", "Magic", ("Magic.dev",), "lab"),
    ("liquid", "Liquid AI", (), "lab"),
    ("adept", "Adept", (), "lab"),
    ("ssi", "Safe Superintelligence", ("SSI",), "lab"),
    ("thinkingmachines", "Thinking Machines Lab", (), "lab"),
    ("databricks", "Databricks Mosaic AI", ("Mosaic AI", "DBRX"), "platform"),
)

# ----------------------------------------------------------------------------------------------- tags
# tag -> relative frequency among signals
TAG_WEIGHTS: dict[str, float] = {
    "funding_raise": 14, "compute_deal": 13, "legal_regulatory": 10, "api_pricing": 9, "revenue_growth": 8,
    "leadership_change": 8, "outage": 8, "deprecation": 6, "m_and_a": 6, "losses_burn": 6, "debt_financing": 6,
    "layoffs": 5,
}
AMOUNT_KIND = {
    "funding_raise": "raise", "debt_financing": "debt", "revenue_growth": "revenue", "losses_burn": "loss",
    "compute_deal": "deal", "m_and_a": "deal",
}

# Per tag: title templates and body sentences; {p} provider name, {o} other provider, {amt} money, {x} a name.
TITLES: dict[str, tuple[str, ...]] = {
    "funding_raise": ("{p} raises {amt} at a {val} valuation", "{p} closes {amt} Series {ser} led by {inv}",
                      "{inv} leads {amt} investment in {p}", "{p} in talks to raise {amt}, sources say"),
    "debt_financing": ("{p} secures {amt} credit line from {inv}", "{p} takes on {amt} of GPU-backed debt",
                       "{p} sells {amt} in bonds to fund data centers"),
    "losses_burn": ("{p} losses widen to {amt} as compute costs soar", "{p} cash burn hits {amt} a quarter",
                    "{p} is running short of cash, investors warn", "{p} net loss tops {amt}"),
    "revenue_growth": ("{p} annualized revenue passes {amt}", "{p} triples ARR to {amt}",
                       "{p} turns first quarterly profit"),
    "layoffs": ("{p} lays off {n} employees in restructuring", "{p} freezes hiring and cuts {n} jobs"),
    "leadership_change": ("{p} chief technology officer {x} departs", "{p} CEO {x} steps down",
                          "{p} board ousts founder {x}"),
    "compute_deal": ("{p} signs {amt} cloud deal with {o}", "{p} buys {n},000 GPUs for new cluster",
                     "{p} and {o} agree multi-year data center contract"),
    "api_pricing": ("{p} raises API prices for {mdl}", "{p} cuts {mdl} API price by half",
                    "{p} tightens rate limits on its API", "{p} introduces new pricing tiers"),
    "deprecation": ("{p} will retire {mdl} in {mon}", "{p} shuts down its legacy completions API",
                    "{p} deprecates {mdl}, developers must migrate"),
    "outage": ("{p} API suffers hours-long outage", "{p} reports degraded performance across models",
               "Elevated error rates hit {p} customers"),
    "m_and_a": ("{o} acquires {p} in {amt} deal", "{o} hires {p} founders in license-and-hire deal",
                "{p} explores sale to {o}"),
    "legal_regulatory": ("{p} sued by {inv} over training data", "Regulators open investigation into {p}",
                         "{p} fined {amt} by European regulator"),
}
SENTENCES: dict[str, tuple[str, ...]] = {
    "funding_raise": ("{p} has raised {amt} in a round led by {inv}, valuing the company at {val}.",
                      "The new capital will go toward hiring researchers and buying compute.",
                      "Existing backers including {inv} joined the funding round."),
    "debt_financing": ("The loan facility is secured against the company's GPUs, people familiar said.",
                       "{p} borrowed {amt} from a group of lenders led by {inv}."),
    "losses_burn": ("{p} posted a net loss of {amt} as its cash burn accelerated.",
                    "Compute costs are rising faster than revenue, according to financial documents.",
                    "The company could run short of cash within a year without new funding."),
    "revenue_growth": ("{p} said annualized revenue reached {amt}, driven by enterprise API customers.",
                       "Revenue growth outpaced the company's own forecasts for the year."),
    "layoffs": ("{p} is laying off about {n} employees as part of a restructuring.",
                "The job cuts affect research and sales teams, an internal memo said."),
    "leadership_change": ("{x}, who led research at {p}, is leaving the company.",
                          "The executive departure follows months of board conflict."),
    "compute_deal": ("{p} agreed to spend {amt} on cloud capacity from {o} over five years.",
                     "The contract covers tens of thousands of GPUs in new data centers."),
    "api_pricing": ("{p} changed the price of {mdl} to {usd} per million input tokens.",
                    "Developers will see new rate limits and quota tiers from next month."),
    "deprecation": ("{p} will retire {mdl} and asked developers to migrate before the shutdown date.",
                    "The deprecation notice gives customers ninety days to move."),
    "outage": ("{p} said elevated error rates affected API requests for several hours.",
               "The incident was resolved after engineers rolled back a configuration change."),
    "m_and_a": ("{o} agreed to acquire {p} for {amt}, the companies said.",
                "The acquisition brings most of the {p} team to {o}."),
    "legal_regulatory": ("The lawsuit accuses {p} of copyright infringement.",
                         "Regulators are investigating whether {p} broke data protection law."),
}
GENERIC_TITLES = ("The week in AI: {p}, {o} and the race for compute", "{p} unveils {mdl} with longer context",
                  "What {p}'s new model means for developers", "Benchmarks: {p} and {o} compared",
                  "Inside the {x} lab building open models", "AI agents move from demos to production")
INVESTORS = ("SoftBank", "Andreessen Horowitz", "Sequoia Capital", "Thrive Capital", "Lightspeed", "Khosla Ventures",
             "General Catalyst", "Tiger Global", "Fidelity", "MGX", "Blackstone", "Magnetar Capital", "Getty Images",
             "a group of authors", "music publishers", "JPMorgan Chase", "Goldman Sachs", "Temasek", "Coatue")
MODELS = ("GPT-4o", "Claude Sonnet", "Gemini Flash", "Grok 3", "Mistral Large", "Command R+", "Llama 3.1 405B",
          "DeepSeek-V3", "Qwen-Max", "Jamba 1.5", "Sonar Pro", "Kimi k1.5", "GLM-4", "Ernie 4.0", "Palmyra X")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
OUTLETS = ("reuters", "bloomberg", "theinformation", "ft", "wsj", "cnbc", "techcrunch", "axios", "semafor",
           "theverge", "venturebeat", "siliconangle", "nikkei", "caixin", "handelsblatt", "lesechos", "sifted",
           "businessinsider", "fortune", "forbes", "nytimes", "arstechnica", "wired", "zdnet", "theregister")
SECTIONS = ("ai", "tech", "business", "markets", "cloud", "startups", "enterprise", "policy")

# Words added to the demo corpus's vocabulary (business and AI news register).
def _words(text: str) -> tuple[str, ...]:
    """The distinct whitespace-separated words of ``text``, in order."""
    return tuple(dict.fromkeys(text.split()))


EXTRA_WORDS = _words("""
revenue growth investors investor valuation funding round capital cash burn loss losses margin profit quarter
quarterly annual annualized billion million customers enterprise developers api pricing price prices tokens token
model models inference training compute gpu gpus cluster clusters data center centers cloud contract deal deals
chip chips nvidia supply shortage lawsuit regulators regulator investigation antitrust copyright privacy fine
layoffs restructuring hiring freeze executive executives chief officer founder founders board departure departs
acquisition acquire acquires merger startup startups platform service services outage incident degraded latency
errors error rate limits quota tiers retire retirement deprecation deprecated shutdown migrate migration release
launch launches launched benchmark benchmarks reasoning agents agent assistant chatbot open source weights safety
research researchers lab labs partnership partner partners stake shares tender offer debt credit loan bonds lender
lenders spending capex power energy electricity grid market share competition rivals rival subscription users
growth forecast forecasts filing filings documents memo statement spokesperson analyst analysts report reported
""")
FUNCTION_WORDS = _words("""
the of and to a in that is for it on with as was said by at from its has be an are have not this but which
or will would had their they were more than been about after its also who one two new year we our up over into
some could can other there when what all out most so three first last years while such only were because before
just people like them many between since how no any these may much those both where through if then each still
during under even than should off per his her he she them made make according last week months
""")
SYLLABLES = ("ka", "ri", "to", "mon", "el", "vex", "sa", "lu", "dor", "qui", "an", "tel", "zo", "ber", "ni", "gra",
             "fen", "o", "mar", "is", "ux", "ly", "tra", "cor", "pel", "dai", "shi", "rho", "ven", "kal")


@dataclass(frozen=True)
class Sizes:
    """How many of each thing to generate."""

    articles: int
    sources: int
    days: int


# ----------------------------------------------------------------------------------------------- text model
class TextModel:
    """Draws words from one Zipf curve (exponent 1.1) over ~212k tokens and fills templates.

    The head is ~150 English function words, most frequent first; the demo corpus's lower-case words and
    the business/AI words of ``EXTRA_WORDS`` sit at random ranks among the next 20k, mixed with 200k pseudo-words
    (rare words and names) and 10k numbers, so about 22% of tokens fall beyond rank 2,100, as in news text. Words are drawn
    with numpy into a buffer and handed out in slices.
    """

    def __init__(self, rng: random.Random, nprng: np.random.Generator) -> None:
        self.rng = rng
        self.nprng = nprng
        counts: dict[str, int] = {}
        try:
            demo = json.loads(DEMO_ARTICLES.read_text(encoding="utf-8"))
            body = " ".join(a.get("title", "") + " " + a.get("summary", "") + " " + a.get("body", "") for a in demo)
        except (OSError, ValueError):
            body = ""
        for w in re.findall(r"\b[a-z][a-z-]+\b", body):  # lower-case only: no names of the demo's providers
            counts[w] = counts.get(w, 0) + 1
        head = list(FUNCTION_WORDS)  # function words, most frequent first
        content = [w for w in sorted(counts, key=lambda w: -counts[w]) if w not in FUNCTION_WORDS]
        content += [w for w in dict.fromkeys(EXTRA_WORDS) if w not in counts and w not in FUNCTION_WORDS]
        tail_rng = random.Random(12345)
        names: set[str] = set()
        while len(names) < 200_000:
            names.add("".join(tail_rng.choice(SYLLABLES) for _ in range(tail_rng.randint(2, 4))))
        self.names = sorted(names)
        tail = self.names + [str(n) for n in range(10_000)]
        tail_rng.shuffle(tail)
        # content words at random ranks among the first 20k: their frequency comes mostly from the topic
        # sentences of the stories that are about them, as in real news
        for w in content:
            tail.insert(tail_rng.randrange(20_000), w)
        self.vocab = np.array(head + tail, dtype=object)
        weights = 1.0 / np.arange(1, len(self.vocab) + 1) ** 1.1
        self.cum = np.cumsum(weights / weights.sum())
        self.buffer: list[str] = []
        self.pos = 0

    def words(self, n: int) -> list[str]:
        """``n`` words drawn from the Zipf curve."""
        if self.pos + n > len(self.buffer):
            idx = np.searchsorted(self.cum, self.nprng.random(max(2_000_000, n)) * self.cum[-1])
            self.buffer = self.vocab[np.minimum(idx, len(self.vocab) - 1)].tolist()
            self.pos = 0
        out = self.buffer[self.pos : self.pos + n]
        self.pos += n
        return out

    def name(self) -> str:
        """A rare capitalised name from the tail."""
        return self.names[self.rng.randrange(len(self.names))].capitalize()

    def filler(self, n_words: int) -> str:
        """Sentences of 8-28 words built from :meth:`words`."""
        ws = self.words(n_words)
        parts = []
        i = 0
        rand = self.rng.random
        while i < len(ws):
            k = 8 + int(rand() * 21)
            s = ws[i : i + k]
            s[0] = s[0].capitalize()
            parts.append(" ".join(s) + ".")
            i += k
        return " ".join(parts)

    def money(self) -> tuple[str, float]:
        """A money string and its value in USD (log-uniform, 1M..20B)."""
        usd = math.exp(self.rng.uniform(math.log(1e6), math.log(2e10)))
        text = f"${usd / 1e9:.1f} billion" if usd >= 1e9 else f"${usd / 1e6:.0f} million"
        return text, usd

    def fill(self, template: str, slots: dict[str, str]) -> str:
        return template.format(**slots)


# ----------------------------------------------------------------------------------------------- generation
def iso(ts: float) -> str:
    """Epoch seconds as the stored ISO text (UTC, seconds)."""
    return datetime.fromtimestamp(int(ts), UTC).isoformat()


def provider_weights(n: int) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** 0.9
    return w / w.sum()


def story_plan(sizes: Sizes, end: float, nprng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (article published epoch, article fetched epoch, article story index), sorted by fetch time.

    Stories have 1 article (72%), 2-3 (20%) or 4-12 (8%); the volume grows over the two years (a ramp from 0.6x to
    1.4x the mean daily rate), members of a story are published within three days of its first article.
    """
    n = sizes.articles
    span = sizes.days * 86400.0
    sizes_arr: list[np.ndarray] = []
    total = 0
    while total < n:
        u = nprng.random(100_000)
        k = np.where(u < 0.72, 1, np.where(u < 0.92, nprng.integers(2, 4, u.size), nprng.integers(4, 13, u.size)))
        sizes_arr.append(k)
        total += int(k.sum())
    story_sizes = np.concatenate(sizes_arr)
    cut = int(np.searchsorted(np.cumsum(story_sizes), n))
    story_sizes = story_sizes[: cut + 1]
    story_sizes[-1] -= int(story_sizes.sum() - n)
    story_sizes = story_sizes[story_sizes > 0]
    # ramp density: inverse CDF of a linear density 0.6..1.4 over [0, 1]
    u = nprng.random(story_sizes.size)
    a, b = 0.6, 0.8
    x = (-a + np.sqrt(a * a + 2 * b * u)) / b
    story_start = end - span + x * span
    story_of_article = np.repeat(np.arange(story_sizes.size), story_sizes)
    offsets = nprng.exponential(12 * 3600.0, n).clip(0, 3 * 86400)
    first = np.ones(n, dtype=bool)
    first[1:] = story_of_article[1:] != story_of_article[:-1]
    offsets[first] = 0.0
    published = np.minimum(story_start[story_of_article] + offsets, end - 60)
    # fetch delay: minutes for most, days for ~3% (backfill on a new feed's first crawl)
    delay = nprng.exponential(20 * 60.0, n)
    late = nprng.random(n) < 0.03
    delay[late] = nprng.uniform(3600, 14 * 86400, int(late.sum()))
    fetched = np.minimum(published + delay, end)
    order = np.argsort(fetched, kind="stable")
    return published[order], fetched[order], story_of_article[order]


def story_topics(n_stories: int, n_providers: int, rng: random.Random) -> list[list[tuple[str, int]]]:
    """Per story the (tag, provider index) pairs its articles carry: 0 (15%), 1 (33%), 2 (32%) or 3 (20%)."""
    tags = list(TAG_WEIGHTS)
    tag_cum = list(np.cumsum(list(TAG_WEIGHTS.values())))
    prov_cum = list(np.cumsum(provider_weights(n_providers)))
    pidx = list(range(n_providers))
    out: list[list[tuple[str, int]]] = []
    for _ in range(n_stories):
        u = rng.random()
        k = 0 if u < 0.15 else 1 if u < 0.48 else 2 if u < 0.80 else 3
        pairs: list[tuple[str, int]] = []
        if k:
            tag = rng.choices(tags, cum_weights=tag_cum)[0]
            prov = rng.choices(pidx, cum_weights=prov_cum)[0]
            pairs.append((tag, prov))
            while len(pairs) < k:
                if rng.random() < 0.6:
                    tag = rng.choices(tags, cum_weights=tag_cum)[0]
                else:
                    prov = rng.choices(pidx, cum_weights=prov_cum)[0]
                if (tag, prov) not in pairs:
                    pairs.append((tag, prov))
                elif rng.random() < 0.5:
                    break
        out.append(pairs)
    return out


def make_sources(n: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """``n`` sources as (name, kind, url): outlet sections (feeds), a few HTML listings and status pages."""
    out = []
    for i in range(n):
        outlet = OUTLETS[i % len(OUTLETS)]
        section = SECTIONS[(i // len(OUTLETS)) % len(SECTIONS)]
        suffix = "" if i < len(OUTLETS) * len(SECTIONS) else f"-{i}"
        name = f"{outlet}-{section}{suffix}"
        kind = "html" if rng.random() < 0.1 else "feed"
        out.append((name, kind, f"https://www.{outlet}.example/{section}{suffix}/feed.xml"))
    return out


def write_config(path: Path, sources: Sequence[tuple[str, str, str]]) -> None:
    """A valid sources.toml with the 50 providers and the generated sources (classifier: keyword)."""
    lines = ['[settings]', 'user_agent_contact = "https://example.org/capwatch-scale"', "",
             "[classifier]", 'kind = "keyword"', ""]
    for pid, name, aliases, kind in PROVIDERS:
        alias_list = ", ".join(json.dumps(a) for a in aliases)
        lines += [f"[providers.{pid}]", f"name = {json.dumps(name)}", f"aliases = [{alias_list}]",
                  f'kind = "{kind}"', ""]
    for name, kind, url in sources:
        lines += ["[[sources]]", f'name = "{name}"', f'kind = "{kind}"', f'url = "{url}"', 'interval = "30m"']
        if kind == "html":
            lines += ["[sources.selectors]", 'link = "article h2 a"']
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


class Generator:
    """Builds rows in chunks; see :func:`generate`."""

    def __init__(self, sizes: Sizes, seed: int, end: float) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)
        self.nprng = np.random.default_rng(seed)
        self.text = TextModel(self.rng, self.nprng)
        self.end = end
        self.sources = make_sources(sizes.sources, self.rng)
        src_w = 1.0 / np.arange(1, len(self.sources) + 1) ** 0.8
        self.src_cum = list(np.cumsum(src_w))
        self.source_names = [s[0] for s in self.sources]
        self.published, self.fetched, self.story_idx = story_plan(sizes, end, self.nprng)
        self.n_stories = int(self.story_idx.max()) + 1
        self.topics = story_topics(self.n_stories, len(PROVIDERS), self.rng)
        # per story: id (1-based in order of first fetched article), template slots, first/last published, sources
        self.story_id = np.zeros(self.n_stories, dtype=np.int64)
        self.story_slots: dict[int, dict[str, Any]] = {}
        self.story_stats: dict[int, list[Any]] = {}
        self.next_story_id = 1

    def slots(self, story: int) -> dict[str, Any]:
        """Template values shared by the articles of one story (same amount, names, model)."""
        s = self.story_slots.get(story)
        if s is None:
            rng = self.rng
            pairs = self.topics[story]
            pidx = pairs[0][1] if pairs else rng.randrange(len(PROVIDERS))
            other = rng.randrange(len(PROVIDERS))
            amt, usd = self.text.money()
            val, _ = self.text.money()
            s = {
                "p": PROVIDERS[pidx][1], "o": PROVIDERS[other][1], "amt": amt, "usd_value": usd, "val": val,
                "inv": rng.choice(INVESTORS), "x": self.text.name() + " " + self.text.name(),
                "mdl": rng.choice(MODELS), "mon": rng.choice(MONTHS), "ser": rng.choice("ABCDEF"),
                "n": str(rng.randrange(20, 2000)), "usd": f"${rng.uniform(0.1, 30):.2f}",
                "template": rng.randrange(100),
            }
            self.story_slots[story] = s
        return s

    def article(self, article_id: int, i: int) -> tuple[dict[str, Any], list[dict[str, Any]], list[tuple[int, str, str]]]:
        """The article row, its signal rows and its article_sources rows for article index ``i``."""
        rng = self.rng
        story = int(self.story_idx[i])
        slots = self.slots(story)
        pairs = self.topics[story]
        pub = float(self.published[i])
        fetched = float(self.fetched[i])
        if self.story_id[story] == 0:
            self.story_id[story] = self.next_story_id
            self.next_story_id += 1
        sid = int(self.story_id[story])
        if pairs:
            tag0 = pairs[0][0]
            titles = TITLES[tag0]
            title = titles[(slots["template"] + rng.randrange(2)) % len(titles)].format(**slots)
        else:
            title = GENERIC_TITLES[(slots["template"] + rng.randrange(2)) % len(GENERIC_TITLES)].format(**slots)
        if rng.random() < 0.3:
            title = rng.choice(("Exclusive: ", "Report: ", "", "Update: ")) + title
        topic_sentences = [s.format(**{**slots, "p": PROVIDERS[pidx][1]}) for tag, pidx in pairs for s in SENTENCES[tag]]
        summary = " ".join(topic_sentences[:1]) + " " + self.text.filler(rng.randint(15, 45))
        full = rng.random() < 0.6
        n_words = rng.randint(180, 800) if full else rng.randint(40, 120)
        body_parts = topic_sentences + [self.text.filler(n_words)]
        if full and len(body_parts) > 2:
            rng.shuffle(body_parts)
        text = " ".join(body_parts)
        src = rng.choices(range(len(self.sources)), cum_weights=self.src_cum)[0]
        source = self.source_names[src]
        domain = source.split("-")[0]
        day = datetime.fromtimestamp(int(pub), UTC)
        url = f"https://www.{domain}.example/{day:%Y/%m/%d}/{slugify(title)}-{article_id}"
        basis = " ".join((title + " " + text).lower().split())
        row = {
            "id": article_id, "url": url, "link": url, "guid": url, "title": title, "summary": summary.strip(),
            "text": text, "author": None, "published": iso(pub), "date_missing": 0, "fetched": iso(fetched),
            "source": source, "story_id": sid, "classified_version": MODEL_VERSION,
            "classified_at": iso(fetched + 60),
            "content_hash": hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32],
        }
        sigs = []
        for tag, pidx in pairs:
            if rng.random() >= 0.95:
                continue
            direction = None
            if tag == "api_pricing":
                direction = rng.choice(("up", "down", None))
            elif tag == "funding_raise":
                direction = "out" if rng.random() < 0.1 else "in"
            kind = AMOUNT_KIND.get(tag)
            has_amount = kind is not None and rng.random() < 0.6
            sigs.append({
                "article_id": article_id, "incident_id": None, "price_change_id": None, "tag": tag,
                "confidence": round(rng.uniform(0.5, 0.99), 4), "provider": PROVIDERS[pidx][0],
                "provider_score": 1.0 if rng.random() < 0.8 else 0.5,
                "amount_usd": round(slots["usd_value"], 2) if has_amount else None,
                "amount_kind": kind if has_amount else None, "direction": direction,
                "published": row["published"], "model_version": MODEL_VERSION, "created": row["classified_at"],
            })
        links = [(article_id, source, row["fetched"])]
        if rng.random() < 0.08:
            other = self.source_names[rng.randrange(len(self.sources))]
            if other != source:
                links.append((article_id, other, iso(fetched + rng.uniform(60, 86400))))
        st = self.story_stats.get(sid)
        if st is None:
            self.story_stats[sid] = [title, row["published"], row["published"], 1, {source}]
        else:
            st[1] = min(st[1], row["published"])
            st[2] = max(st[2], row["published"])
            st[3] += 1
            st[4].add(source)
        return row, sigs, links

    def chunks(self, size: int) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[int, str, str]]]]:
        """Rows in chunks of ``size`` articles, ids 1..N in fetch order (as a crawler would insert them)."""
        n = self.sizes.articles
        for start in range(0, n, size):
            arts, sigs, links = [], [], []
            for i in range(start, min(n, start + size)):
                a, s, li = self.article(i + 1, i)
                arts.append(a)
                sigs.extend(s)
                links.extend(li)
            yield arts, sigs, links

    def story_rows(self) -> Iterator[tuple[Any, ...]]:
        """stories rows (id, title, first, last, article_count, source_count, embedding)."""
        ids = sorted(self.story_stats)
        for start in range(0, len(ids), 50_000):
            batch = ids[start : start + 50_000]
            emb = self.nprng.standard_normal((len(batch), EMBED_DIM), dtype=np.float32)
            emb /= np.linalg.norm(emb, axis=1, keepdims=True)
            for k, sid in enumerate(batch):
                title, first, last, count, srcs = self.story_stats[sid]
                yield (sid, title, first, last, count, len(srcs), emb[k].tobytes())


# ----------------------------------------------------------------------------------------------- database
ARTICLE_COLS = ("id", "url", "link", "guid", "content_hash", "title", "summary", "text", "author", "published",
                "date_missing", "fetched", "source", "story_id", "classified_version", "classified_at")
SIGNAL_COLS = ("article_id", "incident_id", "price_change_id", "tag", "confidence", "provider", "provider_score",
               "amount_usd", "amount_kind", "direction", "published", "model_version", "created")
BULK_TABLES = ("articles", "signals", "article_sources", "stories")


def secondary_objects(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(type, name, sql) of the explicit indexes and triggers on the bulk-loaded tables."""
    marks = ",".join("?" * len(BULK_TABLES))
    return list(conn.execute(
        f"select type, name, sql from sqlite_master where type in ('index', 'trigger') and sql is not null "
        f"and tbl_name in ({marks}) order by type, name", BULK_TABLES,
    ))


def generate(db_path: Path, sizes: Sizes, seed: int, *, embeddings: bool, log: Any = print) -> dict[str, Any]:
    """Create ``db_path`` (must not exist) and fill it; return the metadata written to ``meta.json``."""
    t0 = time.perf_counter()
    with Store(db_path) as store:  # the app's schema, every migration applied
        migrations = [r["number"] for r in store.rows("select number from _migrations order by number")]
    end = float(int(time.time()))
    gen = Generator(sizes, seed, end)
    log(f"planned {sizes.articles:,} articles in {gen.n_stories:,} stories ({time.perf_counter() - t0:.1f}s)")

    conn = sqlite3.connect(str(db_path), isolation_level=None)
    conn.execute("pragma journal_mode = off")
    conn.execute("pragma synchronous = off")
    conn.execute("pragma cache_size = -4000000")
    conn.execute("pragma temp_store = memory")
    objects = secondary_objects(conn)
    for kind, name, _ in objects:
        conn.execute(f"drop {kind} {name}")
    conn.execute("begin")
    conn.executemany("insert into sources (name, kind, url, current_url) values (?, ?, ?, ?)",
                     [(n, k, u, u) for n, k, u in gen.sources])
    a_sql = f"insert into articles ({', '.join(ARTICLE_COLS)}) values ({', '.join('?' * len(ARTICLE_COLS))})"
    s_sql = f"insert into signals ({', '.join(SIGNAL_COLS)}) values ({', '.join('?' * len(SIGNAL_COLS))})"
    l_sql = "insert or ignore into article_sources (article_id, source, first_seen) values (?, ?, ?)"
    n_sig = n_links = done = 0
    t1 = time.perf_counter()
    for arts, sigs, links in gen.chunks(20_000):
        conn.executemany(a_sql, ([a[c] for c in ARTICLE_COLS] for a in arts))
        conn.executemany(s_sql, ([s[c] for c in SIGNAL_COLS] for s in sigs))
        conn.executemany(l_sql, links)
        n_sig += len(sigs)
        n_links += len(links)
        done += len(arts)
        if done % 100_000 == 0 or done == sizes.articles:
            rate = done / (time.perf_counter() - t1)
            log(f"  {done:,} articles, {n_sig:,} signals ({rate:,.0f} articles/s)")
    story_sql = ("insert into stories (id, title, first_published, last_published, article_count, source_count, "
                 "embedding) values (?, ?, ?, ?, ?, ?, ?)")
    conn.executemany(story_sql, (r if embeddings else (*r[:6], None) for r in gen.story_rows()))
    conn.execute("commit")
    t2 = time.perf_counter()
    log(f"rows inserted in {t2 - t1:.0f}s; recreating {len(objects)} indexes/triggers")
    conn.execute("begin")
    for _kind, _name, sql in sorted(objects, key=lambda o: o[0] == "trigger"):
        conn.execute(sql)
    conn.execute("commit")
    t3 = time.perf_counter()
    log(f"indexes in {t3 - t2:.0f}s; building the full-text index (FTS5 rebuild)")
    conn.execute("insert into articles_fts(articles_fts) values ('rebuild')")
    t4 = time.perf_counter()
    log(f"FTS rebuilt in {t4 - t3:.0f}s")
    assert secondary_objects(conn) == objects, "schema objects differ after the load"
    conn.execute("pragma journal_mode = wal")
    conn.close()

    with Store(db_path) as store:  # reopen as the app does: nothing left to migrate
        assert not store.applied_migrations
        counts = {t: store.rows(f"select count(*) as n from {t}")[0]["n"] for t in
                  ("articles", "signals", "article_sources", "stories", "sources")}
        top_providers = [r["provider"] for r in store.rows(
            "select provider, count(*) as n from signals group by provider order by n desc")]
        top_sources = [r["source"] for r in store.rows(
            "select source, count(*) as n from article_sources group by source order by n desc")]
    meta = {
        "db": str(db_path), "seed": seed, "generated_at": iso(end), "days": sizes.days, "counts": counts,
        "migrations": migrations, "providers": [p[0] for p in PROVIDERS], "providers_by_signals": top_providers,
        "sources_by_articles": top_sources, "embeddings": embeddings,
        "seconds": {"rows": round(t2 - t1, 1), "indexes": round(t3 - t2, 1), "fts": round(t4 - t3, 1),
                    "total": round(time.perf_counter() - t0, 1)},
        "db_bytes": db_path.stat().st_size,
    }
    write_config(db_path.parent / "sources.toml", gen.sources)
    (db_path.parent / "meta.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    return meta


def human_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} GiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"database to create (default {DEFAULT_DB})")
    ap.add_argument("--articles", type=int, default=1_000_000)
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-embeddings", action="store_true", help="leave stories.embedding empty (smaller file)")
    ap.add_argument("--force", action="store_true", help="replace an existing database")
    args = ap.parse_args(argv)
    db: Path = args.db
    if db.exists():
        if not args.force:
            print(f"{db} exists (use --force to replace it)", file=sys.stderr)
            return 1
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    meta = generate(db, Sizes(args.articles, args.sources, args.days), args.seed, embeddings=not args.no_embeddings)
    c = meta["counts"]
    print(f"{db}: {human_bytes(meta['db_bytes'])}; {c['articles']:,} articles, {c['signals']:,} signals "
          f"({c['signals'] / max(1, c['articles']):.2f}/article), {c['article_sources']:,} article_sources, "
          f"{c['stories']:,} stories, {c['sources']} sources; {meta['seconds']['total']:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
