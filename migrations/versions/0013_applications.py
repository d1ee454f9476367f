"""issue 14: qualification applications and working-day clocks

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 03:30:00

Applications with their items, assessment team, finding links, working-day clocks and steps; the
working calendar (years, public holidays and make-up working days).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('name_en', sa.String(length=120), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_days')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_days_day'))
    )

    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )

    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('lab_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('first_submitted_on', sa.Date(), nullable=True),
    sa.Column('submitted_on', sa.Date(), nullable=True),
    sa.Column('accepted_on', sa.Date(), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('return_reasons', sa.Text(), nullable=True),
    sa.Column('returns', sa.Integer(), nullable=False),
    sa.Column('review_started_on', sa.Date(), nullable=True),
    sa.Column('audit_id', sa.Integer(), nullable=True),
    sa.Column('assessed_on', sa.Date(), nullable=True),
    sa.Column('ready_on', sa.Date(), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('signed_at', sa.DateTime(), nullable=True),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('qualification_id', sa.Integer(), nullable=True),
    sa.Column('certificate_no', sa.String(length=64), nullable=True),
    sa.Column('certificate_expires_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_applications_audit_id_audits')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_applications_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_applications_decided_by_id_users')),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_applications_lab_id_labs')),
    sa.ForeignKeyConstraint(['qualification_id'], ['qualifications.id'], name=op.f('fk_applications_qualification_id_qualifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('audit_id', name=op.f('uq_applications_audit_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_applications_reference'))
    )

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_decided_on'), ['decided_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_first_submitted_on'), ['first_submitted_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_lab_id'), ['lab_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_qualification_id'), ['qualification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_status'), ['status'], unique=False)

    op.create_table('application_assessors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lead', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_assessors_application_id_applications')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_application_assessors_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_assessors')),
    sa.UniqueConstraint('application_id', 'user_id', name='uq_application_assessors_application_id_user_id')
    )

    with op.batch_alter_table('application_assessors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_assessors_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_assessors_user_id'), ['user_id'], unique=False)

    op.create_table('application_clocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('limit_days', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('stopped_on', sa.Date(), nullable=True),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('overdue_notified_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_clocks_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_clocks'))
    )

    with op.batch_alter_table('application_clocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_clocks_application_id'), ['application_id'], unique=False)
        batch_op.create_index('ix_application_clocks_running', ['stopped_on', 'due_on'], unique=False)
        batch_op.create_index('ix_application_clocks_step_stopped', ['step', 'stopped_on'], unique=False)

    op.create_table('application_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('category_code', sa.String(length=32), nullable=False),
    sa.Column('category_name', sa.String(length=200), nullable=True),
    sa.Column('item_code', sa.String(length=32), nullable=False),
    sa.Column('item_key', sa.String(length=64), nullable=False),
    sa.Column('item_name', sa.String(length=300), nullable=True),
    sa.Column('method', sa.String(length=500), nullable=True),
    sa.Column('parameters', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('scope_entry_id', sa.Integer(), nullable=True),
    sa.Column('basis', sa.String(length=20), nullable=True),
    sa.CheckConstraint('parameters IS NULL OR parameters >= 0', name=op.f('ck_application_items_parameters_non_negative')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_items_application_id_applications')),
    sa.ForeignKeyConstraint(['item_id'], ['test_items.id'], name=op.f('fk_application_items_item_id_test_items')),
    sa.ForeignKeyConstraint(['scope_entry_id'], ['scope_entries.id'], name=op.f('fk_application_items_scope_entry_id_scope_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_items')),
    sa.UniqueConstraint('application_id', 'item_key', name='uq_application_items_application_id_item_key')
    )

    with op.batch_alter_table('application_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_items_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_items_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_items_scope_entry_id'), ['scope_entry_id'], unique=False)

    op.create_table('application_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=24), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_application_steps_actor_id_users')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_steps_application_id_applications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_steps'))
    )

    with op.batch_alter_table('application_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_steps_application_id'), ['application_id'], unique=False)

    op.create_table('application_finding_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('application_item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_finding_items_application_id_applications')),
    sa.ForeignKeyConstraint(['application_item_id'], ['application_items.id'], name=op.f('fk_application_finding_items_application_item_id_application_items')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_application_finding_items_finding_id_findings')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_finding_items')),
    sa.UniqueConstraint('finding_id', 'application_item_id', name='uq_application_finding_items_finding_id_application_item_id')
    )

    with op.batch_alter_table('application_finding_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_finding_items_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_finding_items_application_item_id'), ['application_item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_finding_items_finding_id'), ['finding_id'], unique=False)


def downgrade():
    with op.batch_alter_table('application_finding_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_finding_items_finding_id'))
        batch_op.drop_index(batch_op.f('ix_application_finding_items_application_item_id'))
        batch_op.drop_index(batch_op.f('ix_application_finding_items_application_id'))

    op.drop_table('application_finding_items')

    with op.batch_alter_table('application_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_steps_application_id'))

    op.drop_table('application_steps')

    with op.batch_alter_table('application_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_items_scope_entry_id'))
        batch_op.drop_index(batch_op.f('ix_application_items_item_id'))
        batch_op.drop_index(batch_op.f('ix_application_items_application_id'))

    op.drop_table('application_items')

    with op.batch_alter_table('application_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_application_clocks_step_stopped')
        batch_op.drop_index('ix_application_clocks_running')
        batch_op.drop_index(batch_op.f('ix_application_clocks_application_id'))

    op.drop_table('application_clocks')

    with op.batch_alter_table('application_assessors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_assessors_user_id'))
        batch_op.drop_index(batch_op.f('ix_application_assessors_application_id'))

    op.drop_table('application_assessors')

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_status'))
        batch_op.drop_index(batch_op.f('ix_applications_qualification_id'))
        batch_op.drop_index(batch_op.f('ix_applications_lab_id'))
        batch_op.drop_index(batch_op.f('ix_applications_kind'))
        batch_op.drop_index(batch_op.f('ix_applications_first_submitted_on'))
        batch_op.drop_index(batch_op.f('ix_applications_decided_on'))

    op.drop_table('applications')

    op.drop_table('calendar_years')

    op.drop_table('calendar_days')
