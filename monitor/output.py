"""Shared output flags: a rich table by default, ``--json`` or ``--csv`` on every listing command.

Decorate a command with :func:`output_options`; it receives ``fmt`` and calls :func:`emit` with its rows.
"""

from __future__ import annotations

import csv
import functools
import json
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

F = TypeVar("F", bound=Callable[..., Any])
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def output_options(fn: F) -> F:
    """Add ``--json`` and ``--csv`` (mutually exclusive) and pass ``fmt`` = "table" | "json" | "csv"."""

    @click.option("--json", "as_json", is_flag=True, help="Output JSON instead of a table.")
    @click.option("--csv", "as_csv", is_flag=True, help="Output CSV instead of a table.")
    @functools.wraps(fn)
    def wrapper(*args: Any, as_json: bool, as_csv: bool, **kwargs: Any) -> Any:
        if as_json and as_csv:
            raise click.UsageError("--json and --csv cannot be used together")
        kwargs["fmt"] = "json" if as_json else "csv" if as_csv else "table"
        return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def console() -> Console:
    """A rich console on stdout: the terminal's width on a terminal, 200 columns when piped (no folding)."""
    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def emit(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[str] | None = None,
    fmt: str = "table",
    *,
    title: str | None = None,
    empty: str = "Nothing to show.",
    styles: dict[str, Callable[[Any], str]] | None = None,
) -> None:
    """Write ``rows`` as a table, JSON (a list of objects) or CSV (header + rows), keeping only ``columns``."""
    cols = list(columns) if columns else (list(rows[0]) if rows else [])
    picked = [{c: r.get(c) for c in cols} for r in rows]
    if fmt == "json":
        click.echo(json.dumps(picked, indent=2, default=str, ensure_ascii=False))
        return
    if fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=cols, lineterminator="\n")
        writer.writeheader()
        for r in picked:
            writer.writerow({k: "" if v is None else v for k, v in r.items()})
        return
    if not rows:
        click.echo(empty)
        return
    table = Table(title=title, show_lines=False, header_style="bold")
    for c in cols:
        table.add_column(c, overflow="fold")
    for r in picked:
        cells = []
        for c in cols:
            v = r[c]
            text = "" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
            text = escape(_CONTROL.sub("", text))  # stored text is data: "[/]" is no markup, ESC no terminal command
            if styles and c in styles:
                style = styles[c](v)
                text = f"[{style}]{text}[/]" if style else text
            cells.append(text)
        table.add_row(*cells)
    console().print(table)
