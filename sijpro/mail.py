"""Reminder e-mails: the SMTP server the clinic configured, the message texts, and sending one message.

``SIJPRO_SMTP_URL`` names the server as a URL: ``smtp://HOST[:PORT]`` (plain, port 25 by default),
``smtp+starttls://`` (STARTTLS, port 587), ``smtps://`` (TLS from the first byte, port 465); a user and
password in the URL (``smtp+starttls://clinic%40example.org:secret@mail.example.org``) sign in; the query
``?from=ADDRESS`` sets the sender (default ``sijpro@`` the server's host name). The password is never
written anywhere: messages about the server name its host and port only.

The texts (``resources/reminders/email.yaml``, English and French, the patient's language) carry no health
data: the patient's name, the clinic's name and what to do. Nothing says which surgery or questionnaire.
When the clinic runs the web app, they also carry the visit's one invitation to answer at home (its link,
and its short code with the web app's address), the same in every e-mail of the ladder.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
import textwrap
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from functools import cache
from typing import Final, Literal
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from sijpro.errors import UserError
from sijpro.i18n import long_date
from sijpro.resources import resource_path

SMTP_URL_VARIABLE: Final = "SIJPRO_SMTP_URL"
TIMEOUT_SECONDS: Final = 20.0
"""How long one SMTP exchange may take before the run gives up on the server (never waits forever)."""
PORTS: Final = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
SendOutcome = Literal["sent", "refused", "failed"]


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: Literal["none", "starttls", "tls"]
    username: str = ""
    password: str = ""
    sender: str = ""

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        """The server a ``SIJPRO_SMTP_URL`` names, or UserError saying what is wrong with it."""
        parts = urlsplit(url.strip())
        if parts.scheme not in PORTS:
            raise UserError(f"{SMTP_URL_VARIABLE}: the scheme must be smtp, smtp+starttls or smtps "
                            f"(e.g. smtp://127.0.0.1:2525), not {parts.scheme or 'none'!r}")
        if not parts.hostname:
            raise UserError(f"{SMTP_URL_VARIABLE}: no server host name in the URL")
        try:
            port = parts.port or PORTS[parts.scheme]
        except ValueError:
            raise UserError(f"{SMTP_URL_VARIABLE}: the port is not a number from 1 to 65535") from None
        query = parse_qs(parts.query)
        securities: dict[str, Literal["none", "starttls", "tls"]] = {
            "smtp": "none", "smtp+starttls": "starttls", "smtps": "tls"}
        security = securities[parts.scheme]
        sender = query.get("from", [f"sijpro@{parts.hostname}"])[0]
        return cls(parts.hostname, port, security, unquote(parts.username or ""),
                   unquote(parts.password or ""), sender)


@dataclass(frozen=True)
class Reminder:
    """One e-mail to write: to whom, in which language, the names it may say, and whether it is a second one."""

    to: str
    language: str
    given_name: str
    family_name: str
    clinic: str
    again: bool = False
    at_home: AtHome | None = None
    """The visit's invitation to answer at home, when the clinic runs the web app (``sijpro serve``)."""


@dataclass(frozen=True)
class AtHome:
    """What the e-mail says to answer at home: the link, the web app's address and the code for typing it
    in instead, and the last day they open. The same for every e-mail of one visit."""

    link: str
    site: str
    code: str
    until: dt.date


@cache
def templates() -> dict[str, dict[str, str]]:
    path = resource_path("reminders", "email.yaml")
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {language: dict(texts) for language, texts in loaded.items()}


def reminder_message(reminder: Reminder, server: SmtpServer) -> EmailMessage:
    """The message in the patient's language (English when the clinic has no text in theirs)."""
    texts = templates().get(reminder.language) or templates()["en"]
    kind = "again" if reminder.again else "first"
    clinic = reminder.clinic or texts["clinic_fallback"]
    values = {"given_name": reminder.given_name, "family_name": reminder.family_name, "clinic": clinic}
    message = EmailMessage()
    message["From"] = formataddr((clinic, server.sender))
    message["To"] = reminder.to
    subject = texts[f"subject_{kind}"].format(**values)
    message["Subject"] = subject[:1].upper() + subject[1:]
    message["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    paragraphs = texts[f"body_{kind}"].format(**values).strip().split("\n\n")
    if reminder.at_home is not None:  # after the greeting and the first paragraph: the easiest way first
        at_home = reminder.at_home
        paragraphs[2:2] = texts["at_home"].format(
            link=at_home.link, site=at_home.site, code=at_home.code,
            until=long_date(reminder.language if reminder.language in templates() else "en", at_home.until),
        ).strip().split("\n\n")
    message.set_content("\n\n".join(_filled(paragraph) for paragraph in paragraphs) + "\n")
    return message


class ServerUnreachable(UserError):
    """The server could not be reached or refused the session: nothing more can be sent this run."""


class Mailer:
    """One SMTP session for a run: opened on the first message, closed at the end (``with``)."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *_: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()

    def _open(self) -> smtplib.SMTP:
        server = self.server
        try:
            if server.security == "tls":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
                if server.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if server.username:
                smtp.login(server.username, server.password)
        except smtplib.SMTPAuthenticationError:
            raise ServerUnreachable(f"the SMTP server {server.where} refused the user name or password") from None
        except (smtplib.SMTPException, OSError, ssl.SSLError) as error:
            raise ServerUnreachable(f"cannot reach the SMTP server {server.where}: {_reason(error)}") from None
        return smtp

    def send(self, message: EmailMessage) -> tuple[SendOutcome, str]:
        """('sent', ''), ('refused', the server's words: the address will not do) or ('failed', why: try
        again later). ServerUnreachable when the server cannot be reached at all."""
        if self.smtp is None:
            self.smtp = self._open()
        try:
            self.smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            code, words = next(iter(error.recipients.values()))
            return ("refused" if code >= 500 else "failed"), f"{code} {_text(words)}"
        except smtplib.SMTPResponseException as error:
            return ("refused" if error.smtp_code >= 500 else "failed"), f"{error.smtp_code} {_text(error.smtp_error)}"
        except (smtplib.SMTPServerDisconnected, OSError) as error:
            self.smtp = None
            raise ServerUnreachable(f"the SMTP server {self.server.where} went away: {_reason(error)}") from None
        return "sent", ""


def _filled(paragraph: str) -> str:
    """A paragraph of the template as lines of at most 72 characters (a greeting or signature line stays,
    and so does a word longer than that: a link broken in two opens nothing)."""
    lines = paragraph.splitlines()
    if len(lines) > 1 and all(len(line) < 40 for line in lines):
        return "\n".join(lines)
    return textwrap.fill(" ".join(line.strip() for line in lines), 72, break_long_words=False,
                         break_on_hyphens=False)  # a link stays whole, on a line of its own if it must


def _text(words: bytes | str) -> str:
    return words.decode("utf-8", "replace") if isinstance(words, bytes) else str(words)


def _reason(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return f"no answer within {TIMEOUT_SECONDS:g} s"
    return str(error) or type(error).__name__
