"""Sign-in with a second factor, enrolment, backup codes, password and API tokens."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from antt.accounts import services
from antt.accounts.forms import EnrolForm, OtpForm, TokenForm
from antt.accounts.middleware import SESSION_AUTH_AT
from antt.accounts.models import ApiToken
from antt.core.errors import DomainError, NotAllowed

if TYPE_CHECKING:
    from antt.accounts.models import User


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        import time

        self.request.session[SESSION_AUTH_AT] = int(time.time())
        services.record_sign_in(user=form.get_user())
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        # django-axes marks the request when this attempt is refused because of (or caused) a lockout.
        services.record_sign_in_failure(
            username=form.data.get("username", ""),
            locked_out=bool(getattr(self.request, "axes_locked_out", False)),
        )
        return super().form_invalid(form)


def locked_out(request: HttpRequest, response: Any = None, credentials: Any = None) -> HttpResponse:
    """Axes calls this when a username or an address has too many failed sign-ins."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "failures": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = cast("User", request.user)  # signed in: the view refuses anyone else
        device = match_token(user, form.cleaned_data["token"].strip().replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            services.record_two_factor(user=user, passed=True, method=device._meta.label_lower)
            return redirect(_next_url(request))
        services.record_two_factor(user=user, passed=False)
        form.add_error("token", _("That code is wrong or has expired. Enter the code your app shows now."))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


def _qr_data_uri(device: TOTPDevice) -> str:
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    user = cast("User", request.user)  # signed in: the view refuses anyone else
    device_id = request.session.get("antt_enrol_device")
    device = (
        TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first() if device_id else None
    )
    try:
        if device is None:
            device = services.start_totp_enrolment(actor=user)
            request.session["antt_enrol_device"] = device.pk
    except NotAllowed as exc:
        # Already enrolled and not verified in this session: the current second factor comes first.
        request.session.pop("antt_enrol_device", None)
        messages.error(request, str(exc))
        return redirect(f"{reverse('accounts:otp-verify')}?{urlencode({'next': _next_url(request)})}")
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.confirm_totp_enrolment(
                actor=user, device_id=device.pk, token=form.cleaned_data["token"]
            )
        except NotAllowed as exc:
            request.session.pop("antt_enrol_device", None)
            messages.error(request, str(exc))
            return redirect(f"{reverse('accounts:otp-verify')}?{urlencode({'next': _next_url(request)})}")
        except DomainError as exc:
            form.add_error("token", str(exc))
        else:
            request.session.pop("antt_enrol_device", None)
            otp_login(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next_url(request)})
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {"form": form, "qr": _qr_data_uri(device), "secret": secret, "next": _next_url(request)}
    return render(request, "accounts/otp_enrol.html", context, status=400 if form.errors else 200)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = cast("User", request.user)  # signed in: the view refuses anyone else
    tokens = ApiToken.objects.filter(user=user)
    context = {
        "has_totp": services.confirmed_totp(user) is not None,
        "tokens": tokens,
        "token_form": TokenForm(),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_http_methods(["POST"])
def backup_codes(request: HttpRequest) -> HttpResponse:
    try:
        codes = services.regenerate_backup_codes(actor=request.user)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:account")
    return render(
        request, "accounts/backup_codes.html", {"codes": codes, "next": reverse("accounts:account")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = cast("User", request.user)  # signed in: the view refuses anyone else
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(actor=user, user=user, new_password=form.cleaned_data["new_password1"])
        except DomainError as exc:
            form.add_error("new_password1", str(exc))
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, user)
            messages.success(request, _("Your password has been changed."))
            return redirect("accounts:account")
    return render(
        request, "accounts/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["POST"])
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST)
    if form.is_valid():
        try:
            token, key = services.create_token(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            return render(request, "accounts/token_created.html", {"token": token, "key": key})
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("accounts:account")


@login_required
@require_http_methods(["POST"])
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        token = services.revoke_token(actor=request.user, token_id=token_id)  # type: ignore[arg-type]
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("accounts:account") if exc.status_code != 404 else _not_found(request)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:account")


def _not_found(request: HttpRequest) -> HttpResponse:
    from django.http import Http404

    from antt.core.lookups import not_found_message

    raise Http404(not_found_message())
