"""Who makes a model, and who sells it: resolve price-list and status-page model ids through the catalogue.

A price-list entry such as ``azure/o3`` (LiteLLM ``litellm_provider = "azure"``), ``bedrock/us-east-1/
meta.llama3-8b-instruct-v1:0``, ``vertex_ai/claude-3-5-haiku`` (``vertex_ai-anthropic_models``),
``openrouter/x-ai/grok-4`` or OpenRouter's own ``mistralai/mistral-large`` names a model made by one organisation
and, often, sold by another. :meth:`ModelResolver.resolve` finds both, in this order:

1. leading path segments that name a seller (a ``litellm_provider`` value, a region such as ``us-east-1``, or
   Fireworks' ``accounts/<x>/models``) are set aside; the first seller segment, or the entry's own
   ``litellm_provider`` value, names the seller;
2. a remaining vendor segment (``x-ai/…``, ``meta-llama/…``, ``mistralai/…``) names the maker through the
   organisations' OpenRouter vendor values (or their ids);
3. otherwise a Bedrock-style ``[region.]vendor.model`` name (``us.anthropic.claude-…``) names the maker by vendor;
4. otherwise the longest catalogue model-id prefix of the bare model name (``o3`` -> OpenAI, ``claude`` ->
   Anthropic, ``llama-3.1-nemotron`` -> Nvidia before ``llama`` -> Meta), also after a platform's own name
   prefixed to it (``databricks-claude-3-7-sonnet``);
5. otherwise the entry's ``litellm_provider`` value when it is a maker's own API (``openai``, ``deepseek``).

The seller is reported only when it differs from the maker.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from classifiers.orgs.catalogue import Org

_REGION = re.compile(r"^(?:[a-z]{2}(?:-gov)?-[a-z]+-\d|global|us|eu|apac|au|jp|ca|us-gov|\d+-x-\d+|max-steps|\d+-steps)$")
_BEDROCK_REGION = {"us", "eu", "apac", "global", "au", "jp", "ca", "us-gov"}


@dataclass(frozen=True)
class ModelOwner:
    """The organisation that makes a model (``maker``) and the one that sells it when different (``seller``)."""

    maker: str | None
    seller: str | None


def _norm_vendor(value: str) -> str:
    return value.strip().lower().lstrip("~")


class ModelResolver:
    """Resolves model ids to their maker and seller with the organisations' prefixes and vendor values."""

    def __init__(self, orgs: Mapping[str, Org]) -> None:
        """Index ``orgs`` (id -> :class:`Org`): vendor values, litellm values and model prefixes."""
        self.vendors: dict[str, str] = {}
        self.litellm_own: dict[str, str] = {}
        self.litellm_any: dict[str, str] = {}
        prefixes: list[tuple[str, str]] = []
        for org in orgs.values():
            for value in org.openrouter_vendors:
                self.vendors.setdefault(_norm_vendor(value), org.id)
            for value in org.litellm_providers:
                self.litellm_own.setdefault(value.lower(), org.id)
                self.litellm_any.setdefault(value.lower(), org.id)
            for value in org.resells:
                self.litellm_any.setdefault(value.lower(), org.id)
            prefixes.extend((p.lower(), org.id) for p in org.model_prefixes if p)
        for org in orgs.values():  # an org id is a vendor name of last resort ("anthropic.claude-…")
            self.vendors.setdefault(org.id, org.id)
        self.prefixes = sorted(prefixes, key=lambda p: -len(p[0]))

    def by_prefix(self, name: str) -> str | None:
        """The maker whose longest model prefix starts ``name`` (lower-cased), or None."""
        low = name.lower()
        for prefix, org_id in self.prefixes:
            if low.startswith(prefix):
                return org_id
        return None

    def _after_seller_prefix(self, name: str) -> str | None:
        """The maker of a name a platform prefixed with its own name (``databricks-claude-3-7-sonnet``,
        ``databricks-meta-llama-3-3-70b``): strip the platform, then a vendor prefix or a model prefix decides."""
        low = name.lower()
        head, _, rest = low.partition("-")
        if not rest or head not in self.litellm_any:
            return None
        for vendor in sorted(self.vendors, key=len, reverse=True):
            if rest.startswith(vendor + "-"):
                return self.vendors[vendor]
        return self.by_prefix(rest)

    def resolve(self, model_id: str, litellm_provider: str | None = None) -> ModelOwner:
        """Return the maker and seller of ``model_id`` (see the module doc for the order of the rules)."""
        segments = [s for s in model_id.strip().split("/") if s]
        if not segments:
            return ModelOwner(None, None)
        seller = self.litellm_any.get((litellm_provider or "").lower())
        rest: list[str] = []
        skip_next = False
        for i, seg in enumerate(segments[:-1]):
            low = seg.lower()
            if skip_next:
                skip_next = False
                continue
            if low == "accounts":
                skip_next = True
                continue
            if low == "models" or _REGION.match(low):
                continue
            if not rest and low in self.litellm_any and (i == 0 or low not in self.vendors):
                seller = seller or self.litellm_any[low]
                continue
            rest.append(low)
        name = segments[-1]
        maker = next((self.vendors[_norm_vendor(v)] for v in rest if _norm_vendor(v) in self.vendors), None)
        if maker is None:
            parts = name.split(".")
            while len(parts) > 2 and parts[0].lower() in _BEDROCK_REGION:
                parts = parts[1:]
            if len(parts) >= 2 and parts[0].lower() in self.vendors and not parts[0][:1].isdigit():
                maker = self.vendors[parts[0].lower()]
                name = ".".join(parts[1:])
        if maker is None:
            maker = self.by_prefix(name) or (self.by_prefix(segments[-1]) if name != segments[-1] else None)
        if maker is None:
            maker = self._after_seller_prefix(name)
        if maker is None:
            maker = self.litellm_own.get((litellm_provider or "").lower())
        if maker is None and len(segments) > 1:
            maker = self.litellm_own.get(segments[0].lower())
        return ModelOwner(maker, seller if seller != maker else None)
