"""issue 8: proficiency

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 03:30:00

A placeholder that keeps the chain fixed while areas are built side by side; the area's owner
writes its upgrade and downgrade here (or it is removed if the area needs no schema change).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
