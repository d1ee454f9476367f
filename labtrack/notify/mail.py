"""E-mail, the one place that speaks SMTP (the standard library's smtplib).

Settings: MAIL_SERVER (none: no e-mail at all, notifications stay in-app), MAIL_PORT,
MAIL_USE_TLS (STARTTLS), MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER, MAIL_TIMEOUT.
Every message has a plain-text and an HTML part.
"""

import contextlib
import secrets
import smtplib
from dataclasses import dataclass
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any


@dataclass(frozen=True)
class Mail:
    """One message to one person."""

    to: str
    subject: str
    text: str
    html: str


class MailError(Exception):
    """The mail server refused a message (`down` when it could not be reached at all)."""

    def __init__(self, message: str, down: bool = False):
        super().__init__(message)
        self.down = down


def configured(config: Any) -> bool:
    """Whether e-mail is on (a mail server is named)."""
    return bool(config.get("MAIL_SERVER"))


def build(mail: Mail, sender: str) -> MIMEMultipart:
    """The MIME message: text/plain with a text/html alternative, UTF-8.

    Built with the email package's compat32 classes, several times quicker than EmailMessage
    (which matters for thousands of digests), and with the subject encoded whole, so a space
    between ASCII and CJK words survives folding.
    """
    # A boundary of our own: the generator would otherwise compile a regular expression per message.
    message = MIMEMultipart("alternative", boundary=f"=labtrack-{secrets.token_hex(12)}")
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject if mail.subject.isascii() else Header(mail.subject, "utf-8")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=(parseaddr(sender)[1].rpartition("@")[2] or "labtrack"))
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to a robot
    message.attach(MIMEText(mail.text, "plain", "utf-8"))
    message.attach(MIMEText(mail.html, "html", "utf-8"))
    return message


class Sender:
    """One SMTP session for many messages: `with Sender(config) as s: s.send(mail)`."""

    def __init__(self, config: Any):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> "Sender":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        try:
            smtp = smtplib.SMTP(
                c["MAIL_SERVER"], int(c.get("MAIL_PORT") or 25), timeout=c.get("MAIL_TIMEOUT", 10)
            )
            if c.get("MAIL_USE_TLS"):
                smtp.starttls()
            if c.get("MAIL_USERNAME"):
                smtp.login(c["MAIL_USERNAME"], c.get("MAIL_PASSWORD") or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                f"mail server {c['MAIL_SERVER']}:{c.get('MAIL_PORT')} unreachable: {exc!r}", down=True
            ) from exc
        return smtp

    def send(self, mail: Mail) -> None:
        """Send one message; MailError when it is refused (or the server is down)."""
        message = build(mail, self.config.get("MAIL_DEFAULT_SENDER") or "labtrack@localhost")
        for attempt in (1, 2):  # a connection the server dropped since the last message: reconnect once
            if self.smtp is None:
                self.smtp = self._connect()
            try:
                self.smtp.send_message(message)
                return
            except smtplib.SMTPServerDisconnected as exc:
                self.smtp = None
                if attempt == 2:
                    raise MailError(f"mail server disconnected: {exc}", down=True) from exc
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                raise MailError(f"message refused: {exc}") from exc
            except (TimeoutError, OSError, smtplib.SMTPException) as exc:
                self.close()
                raise MailError(f"mail server failed: {exc!r}", down=True) from exc

    def close(self) -> None:
        """End the SMTP session."""
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.smtp = None
