"""The click that typer runs on: typer >= 0.29 vendors its own copy, older typer uses the click package.

Exceptions must come from the copy typer raises, or ``except`` clauses miss them.
"""

from __future__ import annotations

import typer

try:  # typer >= 0.29
    from typer._click.exceptions import ClickException, UsageError  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - typer < 0.29
    from click.exceptions import ClickException, UsageError  # type: ignore[no-redef]

Exit = typer.Exit
Abort = typer.Abort

__all__ = ["Abort", "ClickException", "Exit", "UsageError"]
