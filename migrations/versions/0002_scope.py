"""scope: test categories, test items, scope entries (lab-item periods)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 16:52:45.996550

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('test_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_test_categories_code'))
    )
    op.create_table('test_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('name_en', sa.String(length=300), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=500), nullable=True),
    sa.Column('parameters', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('parameters IS NULL OR parameters >= 0', name=op.f('ck_test_items_parameters_non_negative')),
    sa.ForeignKeyConstraint(['category_id'], ['test_categories.id'], name=op.f('fk_test_items_category_id_test_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_test_items')),
    sa.UniqueConstraint('code', name=op.f('uq_test_items_code'))
    )
    with op.batch_alter_table('test_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_test_items_category_id'), ['category_id'], unique=False)

    op.create_table('scope_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('granted_on', sa.Date(), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('withdrawal_reason', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('withdrawn_on IS NULL OR withdrawn_on > granted_on', name=op.f('ck_scope_entries_withdrawn_after_granted')),
    sa.ForeignKeyConstraint(['item_id'], ['test_items.id'], name=op.f('fk_scope_entries_item_id_test_items')),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_scope_entries_lab_id_labs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scope_entries'))
    )
    with op.batch_alter_table('scope_entries', schema=None) as batch_op:
        batch_op.create_index('ix_scope_entries_asof', ['granted_on', 'withdrawn_on', 'item_id'], unique=False)
        batch_op.create_index('ix_scope_entries_item_lab', ['item_id', 'lab_id', 'granted_on', 'withdrawn_on'], unique=False)
        batch_op.create_index('ix_scope_entries_lab_asof', ['lab_id', 'granted_on', 'withdrawn_on', 'item_id'], unique=False)


def downgrade():
    with op.batch_alter_table('scope_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_scope_entries_lab_asof')
        batch_op.drop_index('ix_scope_entries_item_lab')
        batch_op.drop_index('ix_scope_entries_asof')

    op.drop_table('scope_entries')
    with op.batch_alter_table('test_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_test_items_category_id'))

    op.drop_table('test_items')
    op.drop_table('test_categories')
