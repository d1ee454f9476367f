"""issue 8: labs and scope (codes compared Unicode-aware)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 03:30:00

Labs, test categories and test items get `code_key`: the code NFKC-normalised and case-folded in
every script (labtrack.parsing.code_key), unique, so 'ÉX-1' and 'éx-1' are one code on SQLite
(whose lower() folds ASCII only) and PostgreSQL alike. Existing rows are keyed here; two codes of a
table that are the same code under this rule stop the upgrade with their names (rename one first).
"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TABLES = ("labs", "test_categories", "test_items")


def code_key(value: str) -> str:
    """labtrack.parsing.code_key as of this revision (a migration does not import the app)."""
    return unicodedata.normalize("NFKC", value).casefold()


def _fill(table_name: str) -> None:
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("code", sa.String),
                     sa.column("code_key", sa.String))
    conn = op.get_bind()
    seen: dict[str, str] = {}
    rows = conn.execute(sa.select(table.c.id, table.c.code)).all()
    for ident, code in rows:
        key = code_key(code)
        if key in seen:
            raise RuntimeError(
                f"{table_name}: codes {seen[key]!r} and {code!r} are the same code; rename one, then upgrade"
            )
        seen[key] = code
        conn.execute(sa.update(table).where(table.c.id == ident).values(code_key=key))


def upgrade():
    for name in TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('code_key', sa.String(), nullable=True))
        _fill(name)
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('code_key', existing_type=sa.String(), nullable=False)
            batch_op.create_unique_constraint(batch_op.f(f'uq_{name}_code_key'), ['code_key'])


def downgrade():
    for name in reversed(TABLES):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{name}_code_key'), type_='unique')
            batch_op.drop_column('code_key')
