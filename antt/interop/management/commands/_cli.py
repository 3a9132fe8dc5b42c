"""What the interop commands share: the acting user and the event, both looked up by name."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from antt.interop.problems import Problem


def add_user_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--user",
        metavar="USERNAME",
        default=os.environ.get("ANTT_CLI_USER", ""),
        help="Act as this account (its role in the event decides what is allowed). Default: $ANTT_CLI_USER.",
    )


def user_of(username: str, *, required: bool = True) -> Any:
    from antt.events.services import find_user

    if not username:
        if not required:
            return None
        raise CommandError(_("Say who acts: --user USERNAME (or set ANTT_CLI_USER)."), returncode=2)
    user = find_user(username)
    if user is None:
        raise CommandError(_("No active account named %(name)s.") % {"name": username}, returncode=2)
    return user


def event_of(code: str) -> Any:
    from antt.events.models import Event

    event = Event.objects.filter(code=code).first()
    if event is None:
        raise CommandError(_("No event with the code %(code)s.") % {"code": code}, returncode=2)
    return event


def problem_line(problem: Problem) -> str:
    mark = _("warning") if problem.warning else _("error")
    return f"{mark}: {problem.where}: {problem.text()}"
