"""``worksample app create --org acme`` against the simulator, the test playing the browser."""

from __future__ import annotations

import asyncio
import html
import os
import re
import stat
import sys
from pathlib import Path

import httpx
from dotenv import dotenv_values
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy

from tests.github_app.conftest import ServedSimulator
from worksample.auth import SignIn
from worksample.config import Settings
from worksample.ops.envfile import keys_in_env_file, write_env_file
from worksample.ops.manifest_flow import env_values

WORKSAMPLE = Path(sys.executable).with_name("worksample")


def _env(simulator: ServedSimulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSAMPLE_")}
    env |= {"WORKSAMPLE_GITHUB_API_URL": simulator.url, "WORKSAMPLE_GITHUB_WEB_URL": simulator.url}
    return env


async def _start(simulator: ServedSimulator, env_file: Path) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        str(WORKSAMPLE), "app", "create", "--org", "acme", "--no-open", "--wait", "60",
        "--env-file", str(env_file), "--public-url", "https://ws.example.com",
        env=_env(simulator), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    first = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
    match = re.search(r"Open (http://127\.0\.0\.1:\d+)/", first)
    assert match, first
    return process, match.group(1)


async def _browser_posts_manifest(page_url: str, state: str | None = None) -> tuple[str, str]:
    """What the browser does with the local page: post its form to GitHub; returns the redirect and
    the manifest it posted."""
    async with httpx.AsyncClient() as browser:
        page = (await browser.get(page_url + "/")).text
        action = html.unescape(re.search(r'action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        manifest = html.unescape(re.search(r'name="manifest" value="([^"]+)"', page).group(1))  # type: ignore[union-attr]
        if state is not None:
            action = re.sub(r"state=[^&]+", f"state={state}", action)
        answer = await browser.post(action, data={"manifest": manifest})
    assert answer.status_code == 302, answer.text
    return answer.headers["location"], manifest


async def test_app_create_stores_working_credentials(
    served_simulator: ServedSimulator, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("KEEP_ME=1\nWORKSAMPLE_GITHUB_APP_ID=999\n")
    process, page_url = await _start(served_simulator, env_file)
    location, manifest = await _browser_posts_manifest(page_url)
    assert location.startswith(page_url + "/callback?code=")
    assert '"url": "https://ws.example.com/github/webhooks"' in manifest
    async with httpx.AsyncClient() as browser:
        done = await browser.get(location)
    assert done.status_code == 200
    assert "/apps/worksample/installations/new" in done.text
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert "Created the App worksample" in out.decode()

    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    values = dotenv_values(env_file)
    assert values["KEEP_ME"] == "1"
    assert values["WORKSAMPLE_GITHUB_APP_ID"] != "999"
    settings = Settings(_env_file=str(env_file))
    assert settings.github_app_slug == "worksample"
    assert settings.github_private_key is not None
    assert settings.github_private_key.get_secret_value().startswith("-----BEGIN RSA PRIVATE KEY-----")
    # The stored credentials are the App's: GitHub accepts its JWT; it asks the manifest's permissions.
    assert settings.github_app_id is not None
    auth = AppAuthStrategy(settings.github_app_id, settings.github_private_key.get_secret_value())
    async with GitHub(auth, base_url=served_simulator.url, cache_strategy=MemCacheStrategy()) as gh:
        app = (await gh.rest.apps.async_get_authenticated()).json()
    assert app["slug"] == "worksample"
    assert app["permissions"]["administration"] == "write"
    assert app["owner"]["login"] == "acme"
    # With OAuth credentials the service signs people in, which needs a session secret too.
    assert settings.github_client_id is not None
    assert settings.session_secret is not None
    assert SignIn(settings).configured
    # And a key for the secrets it stores, so the configuration is complete for start-up.
    assert len(settings.at_rest_keys()) == 1


async def test_a_forged_state_and_a_reused_code_are_refused(
    served_simulator: ServedSimulator, tmp_path: Path
) -> None:
    env_file = tmp_path / ".env"
    process, page_url = await _start(served_simulator, env_file)
    try:
        location, _ = await _browser_posts_manifest(page_url, state="forged")
        async with httpx.AsyncClient() as browser:
            refused = await browser.get(location)
        assert refused.status_code == 400
        assert "state does not match" in refused.text
        assert not env_file.exists()
        # The right state, but a code already spent: GitHub's codes are single-use.
        code = re.search(r"code=([0-9a-f]+)", location).group(1)  # type: ignore[union-attr]
        async with httpx.AsyncClient(base_url=served_simulator.url) as client:
            first = await client.post(f"/app-manifests/{code}/conversions")
            second = await client.post(f"/app-manifests/{code}/conversions")
        assert first.status_code == 201
        assert second.status_code == 404
    finally:
        process.kill()
        await process.wait()


async def test_the_simulator_refuses_a_bad_manifest(served_simulator: ServedSimulator) -> None:
    async with httpx.AsyncClient(base_url=served_simulator.url) as browser:
        missing = await browser.post("/organizations/acme/settings/apps/new", data={"other": "x"})
        not_json = await browser.post("/organizations/acme/settings/apps/new", data={"manifest": "{"})
        no_redirect = await browser.post(
            "/organizations/acme/settings/apps/new",
            data={"manifest": '{"url": "https://x", "hook_attributes": {"url": "https://x/h"}}'},
        )
        no_org = await browser.post("/organizations/nobody/settings/apps/new", data={"manifest": "{}"})
    assert missing.status_code == 422
    assert "no 'manifest' field" in missing.json()["message"]
    assert not_json.status_code == 422
    assert no_redirect.status_code == 422
    assert "redirect_url" in no_redirect.json()["message"]
    assert no_org.status_code == 404


def test_env_file_rewrites_a_multiline_value(tmp_path: Path) -> None:
    path = tmp_path / "app.env"
    write_env_file(path, {"A": "line1\nline2", "B": "x"})
    write_env_file(path, {"A": "new"})
    assert dotenv_values(path) == {"A": "new", "B": "x"}
    assert path.read_text().count("line") == 0


def test_keys_in_env_file_skip_the_lines_of_a_multiline_value(tmp_path: Path) -> None:
    path = tmp_path / "app.env"
    assert keys_in_env_file(path) == set()
    write_env_file(path, {"KEY": "MIIE=\nNOT_A_KEY=x", "export_me": "1"})
    path.write_text(path.read_text() + "# comment\nexport OTHER=2\n")
    assert keys_in_env_file(path) == {"KEY", "export_me", "OTHER"}


def test_a_secret_github_did_not_return_is_left_out_not_written_as_none() -> None:
    conversion = {"id": 7, "slug": "ws", "client_id": "Iv1.x", "client_secret": None, "webhook_secret": None,
                  "pem": "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n"}  # fmt: skip
    values = env_values(conversion, public_url="https://ws", api_url="https://api", web_url="https://web")
    assert "WORKSAMPLE_GITHUB_WEBHOOK_SECRET" not in values
    assert "WORKSAMPLE_GITHUB_CLIENT_SECRET" not in values
    assert values["WORKSAMPLE_GITHUB_APP_ID"] == "7"
    assert values["WORKSAMPLE_GITHUB_PRIVATE_KEY"].endswith("-----END RSA PRIVATE KEY-----")
