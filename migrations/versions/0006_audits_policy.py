"""issue 8: audits (lab managers log their own audits)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 03:30:00

No schema change: a lab manager's self-inspections and internal audits are ordinary audits of
their lab (who recorded them is in the history; who may record which kind is the audits policy's,
labtrack/audits/policy.py). The revision stays so that the chain 0005 -> 0007 is unchanged.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
