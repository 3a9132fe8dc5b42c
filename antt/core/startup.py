"""Checks run when a server process starts: production refuses to serve with published demo passwords."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections

from antt.core.checks import check_no_demo_accounts


def _demo_account_errors() -> list[Any]:
    return check_no_demo_accounts(None, databases=["default"])


def _demo_account_errors_in_thread() -> list[Any]:
    try:
        return _demo_account_errors()
    finally:
        connections.close_all()  # this thread's connection only: it ends here


def refuse_unsafe_start() -> None:
    """Raise ``ImproperlyConfigured`` while active demo accounts exist (outside the demo).

    uvicorn imports the application inside its event loop (always with ``--workers``), where Django refuses
    a synchronous query (``SynchronousOnlyOperation``): the check then runs in a thread of its own and this
    import waits for its answer, so every worker starts (or refuses) the same way.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        errors = _demo_account_errors()
    else:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="antt-startup") as pool:
            errors = pool.submit(_demo_account_errors_in_thread).result()
    if errors:
        raise ImproperlyConfigured(
            f"{errors[0].msg} {errors[0].hint} / Tài khoản demo (mật khẩu công khai) đang hoạt động: "
            "hãy vô hiệu hoá trước khi chạy thật."
        )
