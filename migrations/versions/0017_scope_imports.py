"""issue 11: one history entry per scope import

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 14:30:00

A scope import is recorded once (`scope_imports`: the file's SHA-256, its name, rows, what it did,
who, when; its history row is the import's), and each period it granted names the import and the
file's row (`scope_entries.import_id`, `import_row`) instead of a history row per period.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "scope_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("new_periods", sa.Integer(), nullable=False),
        sa.Column("withdrawals", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("new_categories", sa.Integer(), nullable=False),
        sa.Column("new_items", sa.Integer(), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_scope_imports_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scope_imports")),
    )
    with op.batch_alter_table("scope_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scope_imports_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_scope_imports_created_at"), ["created_at"], unique=False)
    with op.batch_alter_table("scope_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("import_row", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_scope_entries_import_id_scope_imports"), "scope_imports", ["import_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("scope_entries", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_scope_entries_import_id_scope_imports"), type_="foreignkey")
        batch_op.drop_column("import_row")
        batch_op.drop_column("import_id")
    with op.batch_alter_table("scope_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scope_imports_created_at"))
        batch_op.drop_index(batch_op.f("ix_scope_imports_sha256"))
    op.drop_table("scope_imports")
