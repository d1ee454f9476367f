"""issue 15: homogeneity and stability studies of a round's items (qualitative and split-level rounds, dispatch)

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 03:30:00
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "round_homogeneity_studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("replicates", sa.JSON(), nullable=False),
        sa.Column("sigma_pt", sa.Float(), nullable=False),
        sa.Column("g", sa.Integer(), nullable=False),
        sa.Column("m", sa.Integer(), nullable=False),
        sa.Column("mean", sa.Float(), nullable=False),
        sa.Column("s_x", sa.Float(), nullable=False),
        sa.Column("s_w", sa.Float(), nullable=False),
        sa.Column("s_s", sa.Float(), nullable=False),
        sa.Column("criterion", sa.Float(), nullable=False),
        sa.Column("expanded_criterion", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("passed_expanded", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_round_homogeneity_studies_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_round_homogeneity_studies_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_homogeneity_studies")),
        sa.UniqueConstraint("round_id", name=op.f("uq_round_homogeneity_studies_round_id")),
    )
    op.create_table(
        "round_stability_studies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("sigma_pt", sa.Float(), nullable=False),
        sa.Column("mean_before", sa.Float(), nullable=False),
        sa.Column("mean_after", sa.Float(), nullable=False),
        sa.Column("difference", sa.Float(), nullable=False),
        sa.Column("criterion", sa.Float(), nullable=False),
        sa.Column("u_difference", sa.Float(), nullable=False),
        sa.Column("expanded_criterion", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("passed_expanded", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["users.id"], name=op.f("fk_round_stability_studies_entered_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["rounds.id"], name=op.f("fk_round_stability_studies_round_id_rounds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_stability_studies")),
        sa.UniqueConstraint("round_id", name=op.f("uq_round_stability_studies_round_id")),
    )

    with op.batch_alter_table("round_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sent_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("received_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("condition", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("condition_note", sa.String(length=500), nullable=True))

    with op.batch_alter_table("round_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("value_b", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("score_b", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("score_kind_b", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("grade_b", sa.String(length=20), nullable=True))
        batch_op.alter_column("value", existing_type=sa.FLOAT(), nullable=True)

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("result_type", sa.String(length=20), server_default="quantitative", nullable=False)
        )
        batch_op.add_column(sa.Column("categories", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("assigned_answer", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("split_level", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("x_pt_b", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("u_x_pt_b", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("sigma_pt_b", sa.Float(), nullable=True))

    with op.batch_alter_table("round_evaluations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("level_b", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("round_evaluations", schema=None) as batch_op:
        batch_op.drop_column("level_b")

    with op.batch_alter_table("rounds", schema=None) as batch_op:
        batch_op.drop_column("sigma_pt_b")
        batch_op.drop_column("u_x_pt_b")
        batch_op.drop_column("x_pt_b")
        batch_op.drop_column("split_level")
        batch_op.drop_column("assigned_answer")
        batch_op.drop_column("categories")
        batch_op.drop_column("result_type")

    with op.batch_alter_table("round_results", schema=None) as batch_op:
        batch_op.alter_column("value", existing_type=sa.FLOAT(), nullable=False)
        batch_op.drop_column("grade_b")
        batch_op.drop_column("score_kind_b")
        batch_op.drop_column("score_b")
        batch_op.drop_column("value_b")
        batch_op.drop_column("answer")

    with op.batch_alter_table("round_participants", schema=None) as batch_op:
        batch_op.drop_column("condition_note")
        batch_op.drop_column("condition")
        batch_op.drop_column("received_on")
        batch_op.drop_column("sent_on")
    op.drop_table("round_stability_studies")
    op.drop_table("round_homogeneity_studies")
