"""``arkiv serve``: the web application over an archive."""

from __future__ import annotations

import click

from archive_api.archive import Archive, ArchiveError
from index.engine import ENGINES
from ingest import archive_dir
from search_cli.app import ArkivError, UsageProblem, cli
from search_cli.archive_options import archive_option


@cli.command("serve")
@archive_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--public",
    is_flag=True,
    help="The citizens' view: closed items never shown, CPR numbers masked, no personal-data flags, "
    "no aktindsigt pages.",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Serve the internal view on a non-loopback address (there is no login; a warning is printed).",
)
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="Search index (default: the one that exists).")
def serve_command(
    archive: str | None, host: str, port: int, public: bool, allow_remote: bool, engine: str | None
) -> None:
    """Serve the archive as a web application in Danish: search with facets, items with their source PDF
    page, case timelines, meetings, statistics and (not with --public) aktindsigt requests.

    A JSON API answers under /api (/api/search?q=..., /api/item/ID, /api/case?nr=..., /api/meeting/ID,
    /api/stats?q=..., /api/aktindsigt). Listens on 127.0.0.1 unless --host says otherwise; a
    non-loopback address needs --public, or --allow-remote for the internal view. Stop with Ctrl-C.

    Example:

        arkiv serve --archive arkiv-data --port 8000

        arkiv serve --archive arkiv-data --public --host 0.0.0.0
    """
    import uvicorn

    from web.app import create_app
    from web.serve import BindRefused, check_bind

    try:
        warning = check_bind(host, public, allow_remote)
    except BindRefused as e:
        raise UsageProblem(str(e)) from e
    directory = archive_dir(archive)
    try:
        with Archive(directory, engine) as probe:
            probe.engine()
    except ArchiveError as e:
        raise ArkivError(str(e)) from e
    if warning:
        click.echo(warning, err=True)
    shown = f"[{host}]" if ":" in host else host
    view = "public view" if public else "internal view, everything visible"
    click.echo(f"Serving {directory} at http://{shown}:{port}/ ({view}); stop with Ctrl-C", err=True)
    uvicorn.run(create_app(directory, engine, public=public), host=host, port=port, log_level="warning")
