"""Sign in, sign out, the language switch, and the user's own account page."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_user, logout_user

from labtrack.auth import security
from labtrack.auth.forms import AccountForm, LoginForm
from labtrack.auth.permissions import Perm, public, require
from labtrack.auth.service import (
    LoginRefused,
    authenticate,
    set_locale,
    sign_out,
    throttled_message,
    update_own_account,
)
from labtrack.web import form_status, submit_form

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only redirect back inside this site."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """The sign-in page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data)
        except LoginRefused as exc:
            form.password.errors.append(str(exc))
        except security.Throttled as exc:
            form.password.errors.append(throttled_message(exc))
            status = 429
        else:
            chosen = session.get("locale")
            session.clear()  # a fresh session: nothing from before signing in carries over
            login_user(user, remember=form.remember.data)
            if chosen and not user.locale:
                session["locale"] = chosen
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@require(Perm.LOGIN)
def logout():
    """Sign out (POST, so that a link cannot sign anyone out): every session of the user ends."""
    sign_out(current_user._get_current_object())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/language/<code>")
@public
def set_language(code: str):
    """Switch the interface language; remembered on the account when signed in."""
    if code in current_app.config["LANGUAGES"]:
        session["locale"] = code
        if current_user.is_authenticated:
            set_locale(current_user, code)
    return redirect(
        _safe_next(request.form.get("next") or request.referrer and urlsplit(request.referrer).path)
    )


@bp.route("/account", methods=["GET", "POST"])
@require(Perm.LOGIN)
def account():
    """The signed-in user's own page: change password and interface language."""
    form = AccountForm(data={"locale": current_user.locale or ""})
    form.locale.choices = [("", _("Follow the browser"))] + list(current_app.config["LANGUAGES"].items())

    def save():
        user = current_user._get_current_object()
        version = user.session_version
        update_own_account(
            user, user, form.current.data or "", form.password.data or None, form.locale.data or None
        )
        session.pop("locale", None)
        if user.session_version != version:  # the password changed: other sessions ended, not this one
            login_user(
                user,
                remember=bool(
                    request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))
                ),
            )
        return user

    def saved(_user) -> str:
        # Said in the language just chosen (the request began in the old one).
        refresh()
        return _("Your account is saved.")

    done = submit_form(form, save, success=saved, to=url_for("auth.account"))
    return done or (render_template("auth/account.html", form=form), form_status(form))
