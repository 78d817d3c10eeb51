"""Sign-in pages: password, then a second factor where the role needs one; sign-out; active unit;
the user's API tokens. The same services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from liaison import policy
from liaison.accounts import services
from liaison.accounts.forms import ActivateFactorForm, ActivateForm, LoginForm, OtpForm, TokenForm
from liaison.accounts.models import ApiToken
from liaison.core.errors import DomainError, Invalid, NotPermitted
from liaison.org import selectors as org_selectors
from liaison.org import services as org_services
from liaison.org.actor import SESSION_KEY, actor_for_request
from liaison.web.decorators import signed_in

MESSAGES = {
    "failed": gettext_lazy("Wrong username or password."),
    "locked": gettext_lazy("Too many failed attempts: this account is locked for a while."),
    "no_device": gettext_lazy(
        "Two-factor sign-in is required for your role but no authenticator is enrolled. Ask an administrator."
    ),
    "no_membership": gettext_lazy("Your account has no active unit. Ask an administrator."),
}


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def login_view(request):
    form = LoginForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        result = services.session_sign_in(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if result.outcome == "signed_in":
            return redirect(_next(request))
        if result.outcome == "needs_otp":
            request.session["liaison_next"] = _next(request)
            return redirect("accounts:otp")
        error = MESSAGES[result.outcome]
    status = 200 if request.method == "GET" or (error is None and form.is_valid()) else 400
    if error == MESSAGES["locked"]:
        status = 403
    return render(
        request, "accounts/login.html", {"form": form, "error": error, "next": _next(request)}, status=status
    )


def locked_out(request, response=None, credentials=None, *args, **kwargs):
    """django-axes calls this when a locked-out account tries again (audited by the login service)."""
    return render(
        request, "accounts/login.html", {"form": LoginForm(), "error": MESSAGES["locked"]}, status=403
    )


def otp_view(request):
    if services.pending_user(request) is None:
        return redirect("accounts:login")
    form = OtpForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        result = services.session_verify_otp(request, code=form.cleaned_data["code"])
        if result.outcome == "signed_in":
            return redirect(request.session.pop("liaison_next", "/"))
        error = _("That code is not valid.")
    status = 200 if request.method == "GET" else 400
    return render(request, "accounts/otp.html", {"form": form, "error": error}, status=status)


@require_POST
def logout_view(request):
    services.session_sign_out(request, actor_for_request(request))
    return redirect("accounts:login")


@require_POST
@signed_in
def switch_unit(request):
    try:
        m = services.membership_activate(request.actor, membership_id=request.POST.get("membership_id", ""))
    except Invalid as exc:
        messages.error(request, exc.errors[0].message)
        return redirect("web:home")
    request.session[SESSION_KEY] = str(m.pk)
    return redirect("web:home")


@signed_in
def tokens_view(request):
    actor = request.actor
    form = TokenForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, created = services.api_token_create(
                    actor, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
                )
                form = TokenForm()
            except Invalid as exc:
                for e in exc.errors:
                    form.add_error(e.field if e.field in form.fields else None, e.message)
                status = 400
        else:
            status = 400
    tokens = policy.visible(actor, ApiToken).order_by("-created_at")
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": tokens,
            "created": created,
            "may_create": policy.can(actor, "apitoken.create"),
        },
        status=status,
    )


@require_POST
@signed_in
def token_revoke(request, token_id):
    try:
        services.api_token_revoke(request.actor, token_id=token_id)
    except DomainError:
        raise
    return redirect("accounts:tokens")


def activate_view(request):
    """The owner of a new account chooses its password with the code the confirmer handed over,
    then (for the roles that sign in with two factors) enrols an authenticator: its current code
    proves the enrolment before anything is saved. Nobody else ever holds the account's secrets."""
    pending = services.activation_pending_device(request)
    if request.method == "POST" and "otp" in request.POST and pending is not None:
        form = ActivateFactorForm(request.POST)
        if form.is_valid():
            step, codes = services.account_activate_factor(request, code=form.cleaned_data["otp"])
            if step.outcome == "done":
                return render(request, "accounts/activated.html", {"recovery_codes": codes})
            for e in step.errors:
                form.add_error("otp" if e.field == "otp" else None, e.message)
            if step.outcome == "failed":
                return redirect("accounts:activate")
        return _factor_page(request, pending, form, status=400)
    form = ActivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step = services.account_activate(request, **form.cleaned_data)
        if step.outcome == "done":
            return render(request, "accounts/activated.html", {"recovery_codes": []})
        if step.outcome == "needs_factor":
            return _factor_page(request, step.device, ActivateFactorForm())
        for e in step.errors:
            form.add_error(e.field if e.field in form.fields else None, e.message)
    status = 200 if request.method == "GET" else 400
    return render(request, "accounts/activate.html", {"form": form}, status=status)


def _factor_page(request, device, form, status=200):
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "accounts/activate_factor.html",
        {"form": form, "secret": grouped, "uri": device.config_url},
        status=status,
    )


@signed_in
def memberships_pending(request, *, issued=None, status=200):
    """Memberships waiting for this reader's confirmation: a commander confirms those of his units
    (below commander), a second administrator any of his subtree; never his own grant or membership,
    never one of an account he made. Below them, the accounts confirmed but not yet activated, whose
    code the reader may issue again."""
    verified = request.user.is_verified()
    pending = org_selectors.membership_pending_list(request.actor) if verified else []
    waiting = org_selectors.users_awaiting_activation(request.actor) if verified else []
    return render(
        request,
        "accounts/memberships.html",
        {"pending": pending, "verified": verified, "waiting": waiting, "issued": issued},
        status=status,
    )


@require_POST
@signed_in
def activation_reissue(request, user_id):
    if not request.user.is_verified():
        err = NotPermitted(_("Confirming a membership needs your second factor: sign in again."))
        err.refused = ("user.activation", None)  # type: ignore[attr-defined]  (audited by the middleware)
        raise err
    user = org_selectors.user_awaiting_activation_get(request.actor, user_id=user_id)
    code = org_services.activation_reissue(request.actor, user=user)
    # The code is shown in this answer only (never in a message cookie, never stored in clear).
    return memberships_pending(request, issued={"user": user, "code": code})


@require_POST
@signed_in
def membership_confirm(request, membership_id):
    if not request.user.is_verified():
        err = NotPermitted(_("Confirming a membership needs your second factor: sign in again."))
        err.refused = ("membership.approve", None)  # type: ignore[attr-defined]  (audited by the middleware)
        raise err
    m = org_selectors.membership_pending_get(request.actor, membership_id=membership_id)
    confirmed = org_services.membership_approve(request.actor, membership=m)
    messages.success(
        request,
        _("Confirmed: %(user)s, %(role)s, %(unit)s.")
        % {"user": m.user, "role": m.get_role_display(), "unit": m.unit},
    )
    if confirmed.activation_code:
        # The code is shown in this answer only (never in a message cookie, never stored in clear).
        return memberships_pending(request, issued={"user": m.user, "code": confirmed.activation_code})
    return redirect("accounts:memberships")
