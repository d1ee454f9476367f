"""issue 9 follow-up: drop the accounts' lockout columns

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 12:00:00

Sign-in throttling (Flask-Limiter, by account and address) replaced the per-account lockout, whose
counters `users.failed_logins` and `users.locked_until` nothing read any more.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("locked_until", sa.DateTime(), nullable=True))
