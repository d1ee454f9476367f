"""issue 8: proficiency (round codes compared Unicode-aware)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 03:30:00

`rounds.code_key`: the round's code NFKC-normalised and case-folded in every script, unique, so
'ÉX-1' and 'éx-1' cannot both be round codes (SQLite's lower() folds ASCII only) and two people
creating the same round at once get a conflict from the database instead of two rounds.
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _key(code: str) -> str:
    # the same rule as labtrack.parsing.code_key (copied: a migration does not import the app)
    return unicodedata.normalize("NFKC", code).casefold()


def upgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_key', sa.String(length=40), nullable=True))

    rounds = sa.table('rounds', sa.column('id', sa.Integer), sa.column('code', sa.String),
                      sa.column('code_key', sa.String))
    conn = op.get_bind()
    seen: dict[str, str] = {}
    for round_id, code in conn.execute(sa.select(rounds.c.id, rounds.c.code)).all():
        key = _key(code)
        if key in seen:
            raise RuntimeError(
                f"Round codes {seen[key]!r} and {code!r} differ only in case or form; rename one first."
            )
        seen[key] = code
        conn.execute(rounds.update().where(rounds.c.id == round_id).values(code_key=key))

    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.alter_column('code_key', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_rounds_code_key'), ['code_key'])


def downgrade():
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_rounds_code_key'), type_='unique')
        batch_op.drop_column('code_key')
