"""``antt demo``: migrate, seed the demo event(s) and serve on http://127.0.0.1:8000."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.demo import seed as demo


class Command(BaseCommand):
    help = "Set up the demo (migrate, seed the demo events and accounts) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Seed and exit.")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--shift-to-now",
            action="store_true",
            help="Move the demo events in time so the demo field officer's first duty is running now.",
        )
        parser.add_argument(
            "--disable-accounts", action="store_true", help="Deactivate all demo accounts and exit."
        )
        parser.add_argument(
            "--play",
            action="store_true",
            help="Play a short live day on the demo summit (incidents, an SOS, dispatches) while serving.",
        )
        parser.add_argument(
            "--play-pace", type=float, default=5.0, help="Seconds between the scenario's steps."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["disable_accounts"]:
            count = demo.disable_accounts()
            self.stdout.write(_("%(count)d demo account(s) deactivated.") % {"count": count})
            return
        if not settings.DEMO:
            raise CommandError(
                _("The demo runs only with ANTT_DEMO=1 (its passwords are published)."), returncode=2
            )
        call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        info = demo.seed()
        if options["shift_to_now"]:
            from antt.demo.now import shift_to_now

            admin = demo.User.objects.get(username=demo.ADMIN.username)
            for code in info["events"]:
                delta = shift_to_now(actor=admin, event_code=code)
                self.stdout.write(
                    _("%(event)s shifted by %(minutes)d minutes.")
                    % {"event": code, "minutes": delta.total_seconds() // 60}
                )
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write(self.style.SUCCESS(_("ANTT demo is ready at %(url)s") % {"url": url}))
        self.stdout.write(_("Demo events: %(events)s") % {"events": ", ".join(info["events"])})
        self.stdout.write(
            _("Demo accounts (password for all: %(password)s):") % {"password": info["password"]}
        )
        for username, role in info["accounts"]:
            self.stdout.write(f"  {username:<16} {role}")
        self.stdout.write(_("Demo accounts may skip two-factor sign-in only while ANTT_DEMO=1."))
        for username, path in info["calendars"].items():
            self.stdout.write(
                _("Duty calendar of %(user)s: %(url)s") % {"user": username, "url": url + path.lstrip("/")}
            )
        if options["no_serve"]:
            return
        import uvicorn

        worker = _start_task_worker()
        timers = _start_child([sys.executable, "-m", "antt.cli", "ops_timers", "--interval", "1"])
        if options["play"]:
            from antt.demo import live

            live.start(pause=options["play_pace"])
            self.stdout.write(
                _("Playing a live day on %(url)sevents/demo-summit/ops/ (sign in as demo-dispatcher).")
                % {"url": url}
            )
        try:
            uvicorn.run(
                "antt.asgi:application",
                host=options["host"],
                port=options["port"],
                log_level="info",
                access_log=True,
                server_header=False,  # no "server: uvicorn" banner (as --no-server-header in production)
                proxy_headers=False,  # the demo is reached directly: X-Forwarded-For is never trusted
            )
        finally:
            for child in (worker, timers):
                if child is not None:
                    child.terminate()
                    child.wait(timeout=10)


def _start_task_worker() -> subprocess.Popen[bytes] | None:
    """The database-backed task worker (solver runs) as a child process, when tasks go to the database."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "antt.cli", "db_worker", "--queue-name", "*", "--interval", "0.5"],
        env={**os.environ, "ANTT_DEMO": "1"},
        preexec_fn=_stop_with_parent if sys.platform.startswith("linux") else None,
    )


def _start_child(argv: list[str]) -> subprocess.Popen[bytes]:
    """A helper process of the demo (the escalation timers), stopped with the server."""
    return subprocess.Popen(  # noqa: S603  (our own interpreter and module, no user input)
        argv,
        env={**os.environ, "ANTT_DEMO": "1"},
        preexec_fn=_stop_with_parent if sys.platform.startswith("linux") else None,
    )


def _stop_with_parent() -> None:
    """In the worker, before it starts: ask Linux to send it SIGTERM when the demo server dies.

    uvicorn re-raises the SIGTERM/SIGINT it caught once it has shut down, so the server process may end
    before its ``finally`` runs; without this the worker would be left behind, holding the database.
    """
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
