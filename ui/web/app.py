"""The web app's pages: a link or code, the birth date, one question per page, the review, thanks.

Flask, because the clinic's services are plain synchronous calls over SQLAlchemy sessions: a WSGI app
calls them as the kiosk does, with nothing to bridge, and its test client ships with it. Every page is
rendered on the server and works without JavaScript; every form is a POST answered by a redirect, so
Back, reload and a re-sent form never answer twice.

The browser's only state is the pass (an HttpOnly, SameSite=Strict cookie, Secure behind HTTPS) and its
language; the position comes from the URL and the answers from the database.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, abort, g, make_response, redirect, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response  # what Flask answers with, redirect() included

from sijpro import i18n
from sijpro.errors import StorageFull, Unreachable, UserError
from sijpro.logs import record_crash
from ui.web.door import Busy, Closed, Door, Entry, Refused, WrongBirthDate
from ui.web.visit import NothingToAnswer, WebVisit

PASS_COOKIE = "sijpro_pass"
LANGUAGE_COOKIE = "sijpro_lang"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
CLOSED_STATUS = {"unknown": 404, "no_pass": 401, "claimed": 409, "moved": 409, "busy": 429, "trouble": 503,
                 "finished": 200, "locked": 423}
"""The HTTP status of each page saying why the visit cannot be answered here (the rest: 410 Gone)."""
RETRIABLE = frozenset({"trouble", "busy"})
"""Pages after which the same pass, a moment later, goes on where the patient stopped ("Try again")."""
log = logging.getLogger("sijpro.web")


def form_token(pass_token: str) -> str:
    """The per-pass token every answering form carries: a page of another site cannot know it."""
    return hmac.new(pass_token.encode(), b"sijpro web form", hashlib.sha256).hexdigest()


def _language(candidate: str | None) -> str:
    return candidate if candidate in i18n.LANGUAGES else "en"


def create_app(door: Door) -> Flask:  # noqa: PLR0915 - the routes, closures over one door
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024

    def language() -> str:
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        if chosen in i18n.LANGUAGES:
            return chosen
        return _language(request.accept_languages.best_match(i18n.LANGUAGES))

    def page(template: str, status: int = 200, lang: str | None = None, **values: Any) -> Response:
        lang = lang or language()
        words: Callable[..., str] = lambda key, **fields: i18n.text(lang, key, **fields)  # noqa: E731
        response = make_response(render_template(template, t=words, lang=lang, path=request.path, **values),
                                 status)
        return response

    def closed(status: str, lang: str | None = None, code: int | None = None) -> Response:
        lang = _language(lang or language())
        code = code or CLOSED_STATUS.get(status, 410)
        resume = status in RETRIABLE and bool(request.cookies.get(PASS_COOKIE))  # the pass still opens
        return page("closed.html", code, lang, reason=status, title=i18n.text(lang, f"web.closed.{status}.title"),
                    body=i18n.text(lang, f"web.closed.{status}.body"), resume=resume)

    def address() -> str:
        return request.remote_addr or "unknown"

    def entry() -> tuple[Entry, str]:
        token = request.cookies.get(PASS_COOKIE)
        if not token:
            raise Closed("no_pass")
        return door.enter(token, address=address()), token

    def visit() -> tuple[WebVisit, str]:
        current, token = entry()
        return WebVisit(current.session, current.patient_id, current.visit_id, language()), token

    def check_form(token: str) -> None:
        sent = request.form.get("form_token", "")
        if not hmac.compare_digest(sent, form_token(token)):
            abort(403)

    @app.before_request
    def start_deadline() -> None:
        g.deadline = door.deadline()

    @app.teardown_request
    def end_deadline(_error: BaseException | None) -> None:
        started = g.pop("deadline", None)
        if started is not None:
            started.cancel()

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.update(HEADERS)
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    @app.errorhandler(Refused)
    def refused(error: Refused) -> Response:
        if isinstance(error, Busy):
            response = closed("busy")
            response.headers["Retry-After"] = str(error.retry_after)
            return response
        return closed(error.page)

    @app.errorhandler(NothingToAnswer)
    def nothing(_error: NothingToAnswer) -> Response:
        return redirect("/done", 303)

    @app.errorhandler(Exception)
    def trouble(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            status = error.code or 500
            return closed("not_found" if status in (404, 405) else "refused", code=status)
        if isinstance(error, Unreachable | StorageFull):
            log.warning("database trouble: %s", type(error).__name__)
        else:
            where = request.url_rule.rule if request.url_rule else "?"  # never the path: a link carries its token
            log.error("unexpected error on %s: %s (traceback in %s)", where, type(error).__name__,
                      record_crash(error))
        return closed("trouble")

    # --- the way in -------------------------------------------------------------------------------------

    @app.get("/")
    def start() -> Response:
        return page("start.html")

    @app.post("/")
    def code() -> Response:
        secret = "".join(request.form.get("code", "").split()).upper()
        if not secret:
            return page("start.html", 400, missing=True)
        return _door_page(secret)

    @app.get("/v/<token>")
    def link(token: str) -> Response:
        return _door_page(token)

    def _door_page(secret: str, wrong: WrongBirthDate | None = None, invalid: bool = False) -> Response:
        door.allow(address(), secret)
        state = door.look(secret, address=address())
        if state.status != "needs_birth_date":
            return closed(state.status, request.cookies.get(LANGUAGE_COOKIE) or state.language)
        lang = request.cookies.get(LANGUAGE_COOKIE) or state.language
        lang = _language(lang)
        message = (i18n.plural(lang, "web.birth.wrong", wrong.tries_left) if wrong
                   else i18n.text(lang, "web.birth.invalid") if invalid else "")
        return page("birth_date.html", 400 if message else 200, lang, secret=secret, message=message,
                    values=request.form if request.method == "POST" and "year" in request.form else {})

    @app.post("/confirm")
    def confirm() -> Response:
        secret = request.form.get("secret", "")
        try:
            born = dt.date(int(request.form.get("year", "")), int(request.form.get("month", "")),
                           int(request.form.get("day", "")))
        except ValueError:
            return _door_page(secret, invalid=True)
        door.allow(address(), secret)
        try:
            granted = door.confirm(secret, born, address=address())
        except WrongBirthDate as wrong:
            return _door_page(secret, wrong=wrong)
        response = redirect("/q", 303)
        response.set_cookie(PASS_COOKIE, granted.token, httponly=True, secure=request.is_secure,
                            samesite="Strict", path="/")
        if LANGUAGE_COOKIE not in request.cookies:
            response.set_cookie(LANGUAGE_COOKIE, _language(granted.language), secure=request.is_secure,
                                samesite="Strict", path="/")
        return response

    @app.post("/language")
    def choose_language() -> Response:
        target = request.form.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        response = redirect(target, 303)
        response.set_cookie(LANGUAGE_COOKIE, _language(request.form.get("lang")), secure=request.is_secure,
                            samesite="Strict", path="/")
        return response

    # --- the questions ----------------------------------------------------------------------------------

    @app.get("/q")
    def resume() -> Response:
        current, _ = visit()
        number = current.resume_at()
        return redirect(f"/q/{number}" if number else "/review", 303)

    @app.get("/q/<int:number>")
    def question(number: int) -> Response:
        current, token = visit()
        if not 1 <= number <= current.total:
            abort(404)
        return page("question.html", q=current.question(number), editing=request.args.get("from") == "review",
                    form_token=form_token(token), invalid=request.args.get("missing") == "1")

    @app.post("/q/<int:number>")
    def answer(number: int) -> Response:
        current, token = visit()
        check_form(token)
        if not 1 <= number <= current.total:
            abort(404)
        editing = request.form.get("from") == "review"
        try:
            current.answer(number, request.form.get("choice", ""))
        except ValueError:  # nothing chosen (Next without an answer) or a value never offered
            return redirect(f"/q/{number}?missing=1" + ("&from=review" if editing else ""), 303)
        following = None if editing else current.next_after(number)
        return redirect(f"/q/{following}" if following else "/review", 303)

    @app.get("/review")
    def review() -> Response:
        current, token = visit()
        return page("review.html", lines=current.lines(), total=current.total, form_token=form_token(token),
                    missing=request.args.get("missing"))

    @app.post("/submit")
    def submit() -> Response:
        current, token = visit()
        check_form(token)
        try:
            current.submit()
        except ValueError as missing:
            return redirect(f"/review?missing={missing.args[0]}", 303)
        except UserError:  # sent twice at the same moment: the other request completed it
            current, _ = visit()
        return redirect("/done", 303)

    @app.get("/done")
    def done() -> Response:
        return page("done.html")

    return app
