"""``scripts/develop``: Home Assistant with this repository's PBX Presence, on live demo data.

Starts the PBX simulator (demo office, calls and statuses changing every few seconds) and
``hass`` on the repository's ``config/`` directory, both on 127.0.0.1. On the first run it
onboards a development owner account; it adds a Flex UC / Kazoo entry and an iSymphony entry
pointing at the simulator unless they exist. Then it prints the URL and the login and runs
until Ctrl-C (or SIGTERM), when it stops both processes and waits for them.

Run it as ``scripts/develop`` (or ``python -m devtools.develop`` inside ``.venv``).
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from pathlib import Path
import signal
import sys

import aiohttp

from .hass import (
    CONFIG_DIR,
    LOOPBACK,
    SIMULATOR_START_TIMEOUT,
    DevtoolsError,
    HassClient,
    ManagedProcess,
    demo_entries,
    ensure_automations_file,
    link_integration,
    port_in_use,
    prepare_config_dir,
    start_hass,
    start_simulator,
    stop_process,
    wait_for_hass,
    wait_for_http,
)

DEV_NAME = "Developer"
DEV_USERNAME = "dev"
DEV_PASSWORD = "dev-password"  # noqa: S105 - a local development login, printed on purpose
DEFAULT_HASS_PORT = 8123
DEFAULT_SIMULATOR_PORT = 8089
# hass exits with this code when it is asked to restart (e.g. from its UI).
RESTART_EXIT_CODE = 100
SERVER_KINDS = {"flex_uc": "Flex UC / Kazoo", "isymphony": "iSymphony"}


def _say(message: str) -> None:
    sys.stdout.write(f"==> {message}\n")
    sys.stdout.flush()


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="scripts/develop",
        description=(
            "Run Home Assistant with PBX Presence from this repository against the PBX "
            "simulator's live demo data. Ctrl-C stops both."
        ),
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_HASS_PORT, help="Home Assistant's HTTP port"
    )
    parser.add_argument(
        "--simulator-port",
        type=int,
        default=DEFAULT_SIMULATOR_PORT,
        help="the simulator's port (the entries keep the URL of their first run)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=CONFIG_DIR,
        help="Home Assistant's configuration directory (default: the repository's config/)",
    )
    parser.add_argument(
        "--no-activity",
        dest="activity",
        action="store_false",
        help="keep the simulator's demo data still (no random calls or status changes)",
    )
    return parser.parse_args(argv)


@dataclass
class Development:
    """The running simulator and Home Assistant, and how to reach them."""

    config_dir: Path
    hass_port: int
    simulator_port: int
    activity: bool
    simulator: ManagedProcess | None = None
    hass: ManagedProcess | None = None
    stopping: bool = False

    @property
    def hass_url(self) -> str:
        """Home Assistant's URL."""
        return f"http://{LOOPBACK}:{self.hass_port}"

    @property
    def simulator_url(self) -> str:
        """The simulator's URL (both APIs)."""
        return f"http://{LOOPBACK}:{self.simulator_port}"

    async def run(self) -> None:
        """Start everything, set it up, and supervise until cancelled or a process fails."""
        for port, what, option in (
            (self.hass_port, "Home Assistant", "--port"),
            (self.simulator_port, "the simulator", "--simulator-port"),
        ):
            if port_in_use(port):
                raise DevtoolsError(
                    f"port {port} ({what}) is already in use on {LOOPBACK}: is another "
                    f"scripts/develop running? Stop it, or choose another port with {option}."
                )
        if (self.config_dir / "configuration.yaml").is_file():
            link_integration(self.config_dir)
            ensure_automations_file(self.config_dir)
        else:  # another --config directory: set it up like config/
            prepare_config_dir(self.config_dir)
        async with aiohttp.ClientSession() as session:
            _say(f"Starting the PBX simulator on {self.simulator_url}")
            self.simulator = await start_simulator(
                self.simulator_port,
                log_path=self.config_dir / "simulator.log",
                activity=self.activity,
            )
            await wait_for_http(
                session,
                f"{self.simulator_url}/",
                timeout=SIMULATOR_START_TIMEOUT,
                what="the simulator",
                process=self.simulator,
                progress=_say,
            )
            await self._start_hass(session)
            client = HassClient(session, self.hass_url)
            if await client.onboard(name=DEV_NAME, username=DEV_USERNAME, password=DEV_PASSWORD):
                _say(f"Onboarded Home Assistant with the owner account {DEV_USERNAME!r}")
            await client.wait_until_running()
            await self._add_entries(client)
            await self._remove_failed_onboarding_entries(client)
            entries = [
                f"{entry['title']} ({entry['state']})" for entry in await client.config_entries()
            ]
            # The login was only needed to set up; do not pile up refresh tokens.
            await client.revoke()
        self._banner(entries)
        await self._supervise()

    async def _start_hass(self, session: aiohttp.ClientSession) -> None:
        _say(
            f"Starting Home Assistant on {self.hass_url} with {_relative(self.config_dir)}/ "
            "(the first start takes up to a minute)"
        )
        self.hass = await start_hass(
            self.config_dir, self.hass_port, log_path=self.config_dir / "hass-console.log"
        )
        await wait_for_hass(session, self.hass_url, self.hass, progress=_say)

    async def _remove_failed_onboarding_entries(self, client: HassClient) -> None:
        """Remove what onboarding added but cannot work here.

        Onboarding adds integrations meant for a normal installation (weather, radio,
        text-to-speech). Their requirements are not installed (they need the internet), so
        any entry they got fails to set up; it only clutters the development instance.
        """
        for entry in await client.config_entries(domain=None):
            if entry["source"] == "onboarding" and entry["state"] == "setup_error":
                await client.remove_entry(entry["entry_id"])
                _say(f"Removed {entry['title']!r}, which onboarding added but cannot work here")

    async def _add_entries(self, client: HassClient) -> None:
        """Add the demo entries that do not exist yet."""
        titles = {entry["title"] for entry in await client.config_entries()}
        for spec in demo_entries(self.simulator_url):
            kind = SERVER_KINDS[spec.menu_option]
            if spec.title in titles:
                continue
            result = await client.add_entry(spec)
            if result.get("type") == "create_entry":
                _say(f"Added the {kind} entry {result['title']!r}")
            elif result.get("type") == "abort" and result.get("reason") == "already_configured":
                continue
            else:
                raise DevtoolsError(f"adding the {kind} entry failed: {result}")

    def _banner(self, entries: list[str]) -> None:
        lines = (
            "",
            "PBX Presence development is running.",
            "",
            f"  Home Assistant  {self.hass_url}",
            f"  Log in as       {DEV_USERNAME} / {DEV_PASSWORD}",
            f"  Entries         {', '.join(entries) or '(none)'}",
            f"  PBX simulator   {self.simulator_url}"
            + (" (calls and statuses change every few seconds)" if self.activity else ""),
            f"  Logs            {_relative(self.config_dir)}/home-assistant.log, "
            f"{_relative(self.config_dir)}/simulator.log",
            "",
            "Code changes take effect when Home Assistant restarts (Settings > ... > Restart",
            "Home Assistant): this script starts it again. Press Ctrl-C to stop.",
            "",
        )
        sys.stdout.write("\n".join(lines) + "\n")
        sys.stdout.flush()

    async def _supervise(self) -> None:
        """Wait while both run; restart Home Assistant when it asks to."""
        async with aiohttp.ClientSession() as session:
            while True:
                assert self.simulator is not None  # noqa: S101 - started in run()
                assert self.hass is not None  # noqa: S101
                simulator_exit = asyncio.ensure_future(self.simulator.process.wait())
                hass_exit = asyncio.ensure_future(self.hass.process.wait())
                try:
                    await asyncio.wait(
                        (simulator_exit, hass_exit), return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    simulator_exit.cancel()
                    hass_exit.cancel()
                if not self.simulator.running:
                    raise self.simulator.exited_error("while running")
                if self.hass.process.returncode != RESTART_EXIT_CODE:
                    raise self.hass.exited_error("while running")
                _say("Home Assistant asked to restart")
                await self._start_hass(session)
                _say(f"Home Assistant is back on {self.hass_url}")

    async def stop(self) -> None:
        """Stop Home Assistant, then the simulator, and wait for both."""
        self.stopping = True
        for process in (self.hass, self.simulator):
            if process is None:
                continue
            was_running = process.running
            code = await stop_process(process)
            if was_running:
                _say(f"{process.name} stopped (exit code {code})")


async def _main(args: argparse.Namespace) -> int:
    development = Development(
        config_dir=args.config.resolve(),
        hass_port=args.port,
        simulator_port=args.simulator_port,
        activity=args.activity,
    )
    task = asyncio.current_task()
    assert task is not None  # noqa: S101 - we run inside asyncio.run()
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        if interrupted or development.stopping:
            _say("Still stopping; please wait")
            return
        interrupted = True
        _say("Stopping")
        task.cancel()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, interrupt)
    try:
        await development.run()
    except asyncio.CancelledError:
        if not interrupted:
            raise
        task.uncancel()
    except DevtoolsError as err:
        sys.stderr.write(f"error: {err}\n")
        return 1
    finally:
        await development.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run until interrupted; the exit status."""
    return asyncio.run(_main(parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
