"""Entity pools and value formatters used by the dataset generator (providers, investors, amounts, people)."""

from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Lab:
    """A provider used in generated examples: display name, model names, product names and home city."""

    name: str
    models: tuple[str, ...]
    products: tuple[str, ...]
    city: str
    kind: str = "lab"


LABS: tuple[Lab, ...] = (
    Lab("OpenAI", ("GPT-4o", "GPT-4 Turbo", "o1-mini", "GPT-4.1"), ("ChatGPT", "the Assistants API", "Sora"),
        "San Francisco"),
    Lab("Anthropic", ("Claude 3 Opus", "Claude 3.5 Haiku", "Claude Sonnet"), ("Claude", "the Claude app",
        "Claude Code"), "San Francisco"),
    Lab("xAI", ("Grok 2", "Grok 3", "Grok-beta"), ("Grok", "the Grok API"), "Palo Alto"),
    Lab("Google DeepMind", ("Gemini 1.5 Pro", "Gemini Flash", "Gemini Ultra"), ("Gemini", "AI Studio"), "London"),
    Lab("Mistral AI", ("Mistral Large", "Mixtral 8x22B", "Codestral"), ("Le Chat", "La Plateforme"), "Paris"),
    Lab("Cohere", ("Command R+", "Command R", "Embed v3"), ("Coral", "the Cohere API"), "Toronto"),
    Lab("AI21 Labs", ("Jamba 1.5", "Jurassic-2"), ("Wordtune", "AI21 Studio"), "Tel Aviv"),
    Lab("Inflection AI", ("Inflection-2.5", "Inflection-2"), ("Pi",), "Palo Alto"),
    Lab("Stability AI", ("Stable Diffusion 3", "Stable Audio", "SDXL Turbo"), ("DreamStudio", "Stable Assistant"),
        "London"),
    Lab("Character.AI", ("c1.2",), ("the Character.AI app", "Character Calls"), "Menlo Park"),
    Lab("Perplexity", ("Sonar Large", "Sonar Pro"), ("Perplexity Pro", "the Sonar API"), "San Francisco"),
    Lab("DeepSeek", ("DeepSeek-V3", "DeepSeek-R1", "DeepSeek Coder"), ("the DeepSeek chat app",), "Hangzhou"),
    Lab("Moonshot AI", ("Kimi k1.5", "Moonshot-v1"), ("Kimi",), "Beijing"),
    Lab("Zhipu AI", ("GLM-4", "GLM-4-Plus", "CogView-3"), ("ChatGLM", "Qingyan"), "Beijing"),
    Lab("Baidu", ("Ernie 4.0", "Ernie Speed", "Ernie Bot 3.5"), ("Ernie Bot", "Qianfan"), "Beijing"),
    Lab("Aleph Alpha", ("Luminous Supreme", "Pharia-1"), ("PhariaAI",), "Heidelberg"),
    Lab("Reka AI", ("Reka Core", "Reka Flash"), ("Reka Playground",), "Sunnyvale"),
    Lab("Adept", ("Fuyu-Heavy", "ACT-1"), ("Adept Workflows",), "San Francisco"),
    Lab("Midjourney", ("Midjourney v6",), ("the Midjourney bot",), "San Francisco"),
    Lab("Runway", ("Gen-3 Alpha", "Gen-2"), ("Runway Studio",), "New York"),
    Lab("01.AI", ("Yi-Large", "Yi-34B"), ("Wanzhi",), "Beijing"),
    Lab("MiniMax", ("abab 6.5", "MiniMax-Text-01"), ("Talkie", "Hailuo"), "Shanghai"),
    Lab("Sakana AI", ("EvoLLM-JP",), ("the AI Scientist",), "Tokyo"),
    Lab("Poolside", ("Malibu",), ("Poolside Assistant",), "Paris"),
    Lab("Magic", ("LTM-2",), ("Magic Code",), "San Francisco"),
    Lab("Writer", ("Palmyra X", "Palmyra Med"), ("Writer Enterprise",), "San Francisco"),
    Lab("Liquid AI", ("LFM-40B",), ("Liquid Playground",), "Boston"),
    Lab("Hugging Face", ("Zephyr", "SmolLM"), ("HuggingChat", "Inference Endpoints"), "New York"),
    Lab("Alibaba Cloud", ("Qwen-Max", "Qwen2.5"), ("Tongyi Qianwen", "Model Studio"), "Hangzhou"),
    Lab("Meta", ("Llama 3.1 405B", "Llama 3"), ("Meta AI",), "Menlo Park"),
    Lab("Safe Superintelligence", ("SSI-1",), ("its research platform",), "Palo Alto"),
    Lab("Thinking Machines Lab", ("Tinker",), ("its developer platform",), "San Francisco"),
)

CLOUDS: tuple[Lab, ...] = (
    Lab("CoreWeave", ("H100 clusters",), ("CoreWeave Cloud",), "Livingston, New Jersey", "cloud"),
    Lab("Lambda", ("Lambda Inference",), ("Lambda Cloud", "1-Click Clusters"), "San Jose", "cloud"),
    Lab("Together AI", ("Llama 3.1 70B Turbo",), ("the Together Inference API",), "San Francisco", "cloud"),
    Lab("Groq", ("LPU inference",), ("GroqCloud",), "Mountain View", "cloud"),
    Lab("Cerebras", ("Cerebras Inference",), ("Cerebras Cloud",), "Sunnyvale", "cloud"),
    Lab("Crusoe", ("Crusoe Cloud",), ("Crusoe Cloud",), "Denver", "cloud"),
    Lab("Nebius", ("Nebius AI Studio",), ("Nebius AI Cloud",), "Amsterdam", "cloud"),
    Lab("Fireworks AI", ("FireFunction",), ("the Fireworks platform",), "Redwood City", "cloud"),
    Lab("Vultr", ("Vultr Cloud GPU",), ("Vultr Cloud GPU",), "West Palm Beach", "cloud"),
    Lab("SambaNova", ("SambaNova Cloud",), ("SambaNova Cloud",), "Palo Alto", "cloud"),
    Lab("RunPod", ("Serverless GPUs",), ("RunPod Serverless",), "Moorestown, New Jersey", "cloud"),
    Lab("Voltage Park", ("H100 on demand",), ("Voltage Park Cloud",), "San Francisco", "cloud"),
    Lab("Replicate", ("Replicate API",), ("Replicate",), "San Francisco", "cloud"),
    Lab("Anyscale", ("Anyscale Endpoints",), ("Anyscale Endpoints",), "San Francisco", "cloud"),
)

INVESTORS = (
    "SoftBank", "Andreessen Horowitz", "Sequoia Capital", "Thrive Capital", "Lightspeed Venture Partners",
    "General Catalyst", "Khosla Ventures", "Tiger Global", "Fidelity", "MGX", "Salesforce Ventures",
    "Index Ventures", "Accel", "Greenoaks", "Kleiner Perkins", "Coatue", "DST Global", "T. Rowe Price",
    "the Qatar Investment Authority", "Temasek", "Founders Fund", "Lux Capital", "Bessemer Venture Partners",
    "Menlo Ventures", "Spark Capital", "ICONIQ Growth", "Insight Partners", "Prosperity7", "Eurazeo",
    "Nvidia's NVentures", "Alibaba", "Tencent", "HongShan", "Bpifrance",
)
BIG_TECH = (
    "Microsoft", "Amazon", "Google", "Nvidia", "Salesforce", "Oracle", "Apple", "IBM", "Databricks",
    "Snowflake", "ServiceNow", "Cisco", "AMD", "Samsung", "SAP",
)
LENDERS = (
    "JPMorgan Chase", "Goldman Sachs", "Morgan Stanley", "Blackstone", "Magnetar Capital", "Pimco",
    "Apollo Global Management", "Blue Owl Capital", "BlackRock", "MUFG", "Citigroup", "Wells Fargo",
    "HPS Investment Partners", "Carlyle", "Deutsche Bank", "Barclays", "Hercules Capital",
    "Silicon Valley Bank", "Fortress Investment Group",
)
CLOUD_PARTNERS = (
    "Microsoft Azure", "Oracle Cloud", "Google Cloud", "Amazon Web Services", "CoreWeave", "Lambda",
    "Crusoe", "Nebius", "Alibaba Cloud", "Tencent Cloud",
)
CHIPMAKERS = ("Nvidia", "AMD", "Broadcom", "Intel", "TSMC", "Cerebras", "Groq", "Marvell")
CHIPS = ("H100", "H200", "B200", "GB200", "MI300X", "MI325X", "Blackwell", "TPU v5p", "Trainium2", "Gaudi 3")
DC_LOCATIONS = (
    "Abilene, Texas", "Memphis, Tennessee", "northern Norway", "Iceland", "Quebec", "Phoenix, Arizona",
    "Council Bluffs, Iowa", "the United Arab Emirates", "Finland", "Wisconsin", "New Albany, Ohio",
    "Johor, Malaysia", "Saudi Arabia", "Loudoun County, Virginia",
)
REGULATORS = (
    "the FTC", "the European Commission", "Italy's data protection authority", "the UK's Competition and "
    "Markets Authority", "the SEC", "the Justice Department", "Ireland's Data Protection Commission",
    "France's CNIL", "Germany's Federal Cartel Office", "South Korea's privacy watchdog",
    "the California attorney general", "Japan's Fair Trade Commission", "China's Cyberspace Administration",
)
PLAINTIFFS = (
    "A group of authors", "Getty Images", "Music publishers", "A coalition of news publishers",
    "A former employee", "Comedians and novelists", "Visual artists", "A Canadian media group",
    "A software developer collective", "Reddit", "A record label", "An Indian news agency",
    "A class of app users", "A rival startup",
)
COUNTRIES = ("Italy", "the EU", "South Korea", "Canada", "Brazil", "India", "Germany", "Japan", "Australia")
REGIONS = ("Europe", "Asia", "Latin America", "the Middle East", "Japan", "India", "the United States")
CITIES = (
    "London", "Paris", "Tokyo", "Singapore", "Toronto", "Berlin", "Dublin", "Seoul", "Zurich", "Bangalore",
    "Sydney", "New York", "Tel Aviv", "Austin", "Seattle", "Munich", "Amsterdam", "São Paulo",
)
STARTUPS = (
    "a code-review startup", "Rockset", "a vector database maker", "an AI search startup", "Codeium",
    "a speech-recognition startup", "Multi", "an agent-tooling company", "a data-labelling firm",
    "a robotics software startup", "Deci", "an observability startup", "a small Paris-based lab",
    "a browser startup", "a synthetic-data company", "Humanloop", "an AI security startup",
)
PEOPLE = (
    "Maya Chen", "David Okafor", "Lena Fischer", "Rahul Mehta", "Sofia Alvarez", "Tom Becker", "Aiko Tanaka",
    "Omar Haddad", "Claire Dubois", "Jonas Lindqvist", "Priya Raman", "Marcus Webb", "Elena Petrova",
    "Kwame Mensah", "Hannah Brooks", "Wei Zhang", "Isabel Romero", "Nikolai Ivanov", "Grace Kim",
    "Pedro Santos", "Ines Moreau", "Samuel Adeyemi", "Yuki Sato", "Liam O'Connor", "Fatima Al-Sayed",
)
ROLES = (
    "chief technology officer", "chief scientist", "president", "chief operating officer", "head of research",
    "chief product officer", "chief financial officer", "head of safety", "chief revenue officer",
)
OUTLETS = (
    "Reuters", "Bloomberg", "The Information", "the Financial Times", "The Wall Street Journal", "CNBC",
    "TechCrunch", "Axios", "Semafor", "The Verge", "VentureBeat", "SiliconANGLE", "Nikkei Asia", "Caixin",
    "Handelsblatt", "Les Echos", "Sifted", "Business Insider", "Fortune", "Forbes", "The New York Times",
)
PRODUCT_AREAS = (
    "AI agents", "coding assistants", "enterprise search", "video generation", "voice AI", "open-weight models",
    "on-device AI", "AI for science", "multilingual models", "reasoning models",
)
NEW_MODEL_NAMES = (
    "Nova-2", "Atlas", "Orion Mini", "Helix", "Vega 3", "Aurora", "Zephyr Pro", "Pulse", "Sage-7B",
    "Comet", "Quill", "Echo Large", "Lumen", "Tessera", "Kestrel",
)

DATES = ("on Tuesday", "on Monday", "this week", "on Thursday", "late Friday", "on Wednesday", "yesterday",
         "earlier this month", "in a blog post", "in a statement")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
QUARTERS = ("the first quarter", "the second quarter", "the third quarter", "the fourth quarter",
            "the first half", "the latest quarter")


def pick(rng: random.Random, pool: tuple[str, ...] | list[str], avoid: str | None = None) -> str:
    """Pick one item from ``pool``, different from ``avoid`` when possible."""
    choices = [p for p in pool if p != avoid] or list(pool)
    return rng.choice(choices)


def _num(value: float) -> str:
    """Format a number with at most one decimal and no trailing .0."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def money(rng: random.Random, usd: float) -> str:
    """Format ``usd`` as a money string in one of many real-world styles and currencies."""
    style = rng.random()
    currency = "USD"
    value = usd
    if style < 0.12:
        currency, value = "EUR", usd / 1.08
    elif style < 0.18:
        currency, value = "GBP", usd / 1.27
    if value >= 1e9:
        n, words = value / 1e9, ("billion", "bn", "B", "bn", "billion")
    elif value >= 1e6:
        n, words = value / 1e6, ("million", "m", "M", "mn", "million")
    else:
        n, words = value / 1e3, ("thousand", "k", "K", "k", "thousand")
    n = round(n, 1) if n < 10 else round(n)
    word = rng.choice(words)
    number = _num(n)
    glue = " " if word in ("billion", "million", "thousand") else ""
    if currency == "EUR":
        return rng.choice((f"€{number}{glue}{word}", f"EUR {number}{glue}{word}", f"{number} {words[0]} euros"))
    if currency == "GBP":
        return rng.choice((f"£{number}{glue}{word}", f"{number} {words[0]} pounds"))
    return rng.choice((f"${number}{glue}{word}", f"${number}{glue}{word}", f"US${number}{glue}{word}",
                       f"{number}{glue}{word} dollars" if rng.random() < 0.2 else f"${number}{glue}{word}"))


def price(rng: random.Random, usd: float) -> str:
    """Format a per-token price (``usd`` per million tokens) in one of several styles."""
    text = f"{usd:.2f}" if usd < 10 else _num(usd)
    return rng.choice((
        f"${text} per million tokens", f"${text} per 1M tokens", f"${text} / 1M tokens",
        f"${text} per million input tokens", f"${text} per million output tokens",
    ))


def amount(rng: random.Random, low: float, high: float) -> float:
    """Draw a log-uniform amount between ``low`` and ``high``."""
    import math

    return float(math.exp(rng.uniform(math.log(low), math.log(high))))
