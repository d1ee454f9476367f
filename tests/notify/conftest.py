"""Fixtures of the notification tests: a real SMTP server, an app that mails to it, people."""

import pytest

from labtrack.auth.permissions import Role
from tests import factories as f
from tests.conftest import fresh_app
from tests.notify.smtp import SmtpServer, free_port


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""
    with SmtpServer() as server:
        yield server


@pytest.fixture
def mail_app(database_url, tmp_path, smtp):
    """The app with e-mail on, sending to the test's SMTP server."""
    with fresh_app(
        database_url,
        tmp_path,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp.port,
        MAIL_DEFAULT_SENDER="labtrack <noreply@labtrack.example.cn>",
        LABTRACK_BASE_URL="https://labtrack.example.cn",
        MAIL_TIMEOUT=5,
    ) as application:
        yield application


@pytest.fixture
def down_port():
    """A loopback port nothing listens on: a mail server that is down."""
    return free_port()


@pytest.fixture
def people():
    """A lab with two managers, another lab's manager, inspectors, quality staff, a viewer."""
    lab, other = f.LabFactory(code="SC-TC"), f.LabFactory(code="SC-CD")
    return {
        "lab": lab,
        "other_lab": other,
        "manager": f.UserFactory(role=Role.LAB_MANAGER, lab=lab, username="manager-SC-TC"),
        "manager2": f.UserFactory(
            role=Role.LAB_MANAGER, lab=lab, username="deputy-SC-TC", locale="zh_Hans_CN"
        ),
        "disabled": f.UserFactory(role=Role.LAB_MANAGER, lab=lab, username="former-SC-TC", active=False),
        "other_manager": f.UserFactory(role=Role.LAB_MANAGER, lab=other, username="manager-SC-CD"),
        "inspector": f.UserFactory(role=Role.INSPECTOR, username="inspector"),
        "inspector2": f.UserFactory(role=Role.INSPECTOR, username="inspector2"),
        "quality": f.UserFactory(role=Role.QUALITY, username="quality"),
        "viewer": f.UserFactory(role=Role.VIEWER, username="viewer"),
        "admin": f.UserFactory(role=Role.ADMIN, username="admin"),
    }
