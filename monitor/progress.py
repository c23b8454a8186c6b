"""Progress bars for long work (crawl, classify --all, backtest) that vanish when output is not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(total: int | None, description: str) -> Iterator[Callable[[int], None]]:
    """Yield ``advance(n)``; draws a transient bar on a terminal (stderr), does nothing otherwise."""
    if not sys.stderr.isatty() or total == 0:

        def ignore(n: int = 1) -> None:
            """Nothing to draw when stderr is not a terminal."""

        yield ignore
        return
    from rich.console import Console

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)

        def advance(n: int = 1) -> None:
            bar.advance(task, n)

        yield advance
