"""Checks run when a server process starts: production refuses to serve with published demo passwords."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from antt.core.checks import check_no_demo_accounts


def refuse_unsafe_start() -> None:
    errors = check_no_demo_accounts(None, databases=["default"])
    if errors:
        raise ImproperlyConfigured(
            f"{errors[0].msg} {errors[0].hint} / Tài khoản demo (mật khẩu công khai) đang hoạt động: "
            "hãy vô hiệu hoá trước khi chạy thật."
        )
