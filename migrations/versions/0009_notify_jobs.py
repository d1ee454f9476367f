"""issue 11: notifications, reminders, jobs, shared file store

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 03:30:00

A placeholder that keeps the chain fixed while areas are built side by side; the area's owner
writes its upgrade and downgrade here (or it is removed if the area needs no schema change).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
