"""``worksample app create --org ORG``: register the GitHub App from ``github_app/manifest.json``.

Runs GitHub's App Manifest flow (see ``worksample.ops.manifest_flow``): open the printed local
page in a browser signed in as an owner of ORG, confirm on GitHub, and the App's credentials land
in the env file (mode 0600). GitHub's addresses come from WORKSAMPLE_GITHUB_WEB_URL and
WORKSAMPLE_GITHUB_API_URL, the App's own from WORKSAMPLE_PUBLIC_URL (or --public-url).
"""

from __future__ import annotations

import asyncio
import webbrowser
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Annotated

import typer

from worksample.config import ConfigError, load_settings
from worksample.demo import ports, servers
from worksample.demo.errors import DemoError
from worksample.ops.manifest import ManifestError, load_manifest
from worksample.ops.manifest_flow import CreatedApp, ManifestFlow

app = typer.Typer(help="The GitHub App: register it from the manifest.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Keeps ``create`` a named sub-command."""


async def _run(flow: ManifestFlow, port: int, *, open_browser: bool, wait: float) -> CreatedApp:
    async with AsyncExitStack() as stack:
        sock = ports.bind(port, purpose="App manifest page")
        stack.callback(sock.close)
        local_url = ports.url_of(sock)
        flow.done = asyncio.get_running_loop().create_future()
        await servers.serve_app(flow.asgi(local_url), sock, stack, name="App manifest page")
        typer.echo(f"Open {local_url}/ in a browser signed in to GitHub as an owner of {flow.org}.")
        typer.echo("It posts the App manifest to GitHub; confirm there, and GitHub sends you back here.")
        if open_browser:
            webbrowser.open(local_url + "/")
        try:
            return await asyncio.wait_for(flow.done, wait)
        except TimeoutError:
            raise DemoError(f"no answer from GitHub within {wait:.0f} s; run it again") from None


@app.command("create")
def create(
    org: Annotated[str, typer.Option("--org", help="The organization that will own and install the App.")],
    public_url: Annotated[
        str | None, typer.Option(help="Where GitHub reaches this service (default: WORKSAMPLE_PUBLIC_URL).")
    ] = None,
    env_file: Annotated[Path, typer.Option(help="Where the App's credentials are written.")] = Path(".env"),
    name: Annotated[str | None, typer.Option(help="The App's name (unique on GitHub).")] = None,
    port: Annotated[int, typer.Option(min=0, max=65535, help="Local port for the page; 0 picks one.")] = 0,
    open_browser: Annotated[
        bool, typer.Option("--open/--no-open", help="Open the page in a browser.")
    ] = True,
    wait: Annotated[float, typer.Option(min=10, help="Seconds to wait for GitHub's redirect.")] = 900,
    manifest_path: Annotated[Path | None, typer.Option("--manifest", help="The App manifest.")] = None,
) -> None:
    """Create the GitHub App on ORG and store its id, private key and secrets in ENV_FILE."""
    try:
        settings = load_settings()
        manifest = load_manifest(manifest_path)
    except (ConfigError, ManifestError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    flow = ManifestFlow(
        manifest=manifest,
        org=org,
        public_url=public_url or settings.public_url,
        github_api_url=settings.github_api_url,
        github_web_url=settings.github_web_url,
        env_file=env_file,
        name=name,
    )
    try:
        created = asyncio.run(_run(flow, port, open_browser=open_browser, wait=wait))
    except DemoError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        typer.echo("stopped; no App was created by this run", err=True)
        raise typer.Exit(130) from None
    typer.echo(
        f"Created the App {created.slug} (id {created.app_id}); credentials are in {created.env_file}."
    )
    if created.missing:
        typer.echo(
            f"GitHub did not return {', '.join(created.missing)}: set them from the App's settings page."
        )
    typer.echo(f"Next: install it on {org}: {flow.install_url(created.slug)}")
    typer.echo(
        "Then load the file (`set -a; . ./.env; set +a`, or compose's env_file) and run `worksample doctor`."
    )
