"""Entry point of ``odlm-kg``: global options, command registration, and error-to-exit-code mapping."""

from __future__ import annotations

import importlib
import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from odlm_kg import __version__
from odlm_kg.cli import compat
from odlm_kg.cli.context import CliState, err_console
from odlm_kg.errors import OdlmError

#: Each module has ``register(app)``; one module per command group (keep this file small).
COMMAND_MODULES = [
    "odlm_kg.cli.build",
    "odlm_kg.cli.query",
    "odlm_kg.cli.validate",
    "odlm_kg.cli.serve",
    "odlm_kg.cli.load",
    "odlm_kg.cli.crawl",
    "odlm_kg.cli.docs",
    "odlm_kg.cli.report",
    "odlm_kg.cli.link",
    "odlm_kg.cli.export",
]


class CommandGroup(TyperGroup):
    """Lists the commands that exist when an unknown one is asked for."""

    def resolve_command(self, ctx: typer.Context, args: list[str]):  # type: ignore[no-untyped-def]
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            known = ", ".join(self.list_commands(ctx))
            raise compat.UsageError(f"no command {name!r}. Commands: {known}.", ctx)
        return super().resolve_command(ctx, args)


app = typer.Typer(
    name="odlm-kg",
    cls=CommandGroup,
    help="Knowledge graph of how deep-learning models, datasets and code are shared and reused.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"odlm-kg {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    store: Annotated[str | None, typer.Option(
        "--store", envvar="ODLM_KG_STORE",
        help="A directory (embedded Oxigraph: a store, or a new or empty folder whose parent exists), 'memory', "
             "or the http(s) URL of a SPARQL 1.1 query endpoint. Default: $ODLM_KG_STORE, else "
             "~/.local/share/odlm-kg/store. Reading commands work while `odlm-kg serve` runs on it.")] = None,
    update_url: Annotated[str | None, typer.Option(help="SPARQL Update URL of a remote store.")] = None,
    gsp_url: Annotated[str | None, typer.Option(help="Graph Store Protocol URL of a remote store.")] = None,
    engine: Annotated[str | None, typer.Option(
        "--engine",
        help="The engine behind a remote store: oxigraph, virtuoso, fuseki, qlever or generic (how queries and "
             "writes are sent; see docs/stores.md). Default: detected from the server's answer at the URL.")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    ctx.obj = CliState(store_spec=store, update_url=update_url, gsp_url=gsp_url, engine=engine)
    ctx.call_on_close(ctx.obj.close)


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user mistakes become a sentence on stderr and exit code 2 (or 1), never a traceback."""
    try:
        returned = app(args=argv, standalone_mode=False)
    except OdlmError as exc:
        err_console.print(f"odlm-kg: {exc}", markup=False)
        return exc.exit_code
    except compat.Exit as exc:
        return int(exc.exit_code or 0)
    except compat.Abort:
        err_console.print("odlm-kg: aborted", markup=False)
        return 130
    except compat.ClickException as exc:
        exc.show()
        return 2
    except KeyboardInterrupt:
        return 130
    # click returns the code of a typer.Exit raised in a command when not in standalone mode
    return returned if isinstance(returned, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
