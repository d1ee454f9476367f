"""issue 12: personnel, training, exams, authorisations

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 03:30:00

People of each lab and their posts, training sessions and attendances, exams (and skills contests)
with who must sit them and their results, authorisations, and the links from findings (persons
concerned) and comparison results (the analyst).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('exams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('pass_mark', sa.Float(), nullable=False),
    sa.Column('all_labs', sa.Boolean(), nullable=False),
    sa.Column('contest_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('pass_mark >= 0 AND pass_mark <= 100', name=op.f('ck_exams_pass_mark_range')),
    sa.ForeignKeyConstraint(['contest_id'], ['exams.id'], name=op.f('fk_exams_contest_id_exams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exams'))
    )
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exams_contest_id'), ['contest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exams_held_on'), ['held_on'], unique=False)

    op.create_table('exam_labs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_labs_exam_id_exams')),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_exam_labs_lab_id_labs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_labs')),
    sa.UniqueConstraint('exam_id', 'lab_id', name='uq_exam_labs_exam_lab')
    )
    with op.batch_alter_table('exam_labs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exam_labs_lab_id'), ['lab_id'], unique=False)

    op.create_table('exam_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_posts_exam_id_exams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_posts')),
    sa.UniqueConstraint('exam_id', 'post', name='uq_exam_posts_exam_post')
    )
    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=True),
    sa.Column('organiser', sa.String(length=20), nullable=False),
    sa.Column('organiser_lab_id', sa.Integer(), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=True),
    sa.Column('external_attendees', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_training_sessions_ends_after_start')),
    sa.CheckConstraint('external_attendees >= 0', name=op.f('ck_training_sessions_external_non_negative')),
    sa.CheckConstraint('hours > 0', name=op.f('ck_training_sessions_hours_positive')),
    sa.ForeignKeyConstraint(['organiser_lab_id'], ['labs.id'], name=op.f('fk_training_sessions_organiser_lab_id_labs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions'))
    )
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_sessions_organiser_lab_id'), ['organiser_lab_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_training_sessions_starts_on'), ['starts_on'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.Integer(), nullable=False),
    sa.Column('staff_no', sa.String(length=32), nullable=False),
    sa.Column('staff_key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=True),
    sa.Column('employed_from', sa.Date(), nullable=False),
    sa.Column('employed_to', sa.Date(), nullable=True),
    sa.Column('leave_reason', sa.String(length=2000), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('employed_to IS NULL OR employed_to >= employed_from', name=op.f('ck_persons_left_after_joining')),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_persons_lab_id_labs')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_persons_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons')),
    sa.UniqueConstraint('lab_id', 'staff_key', name='uq_persons_lab_staff'),
    sa.UniqueConstraint('user_id', name=op.f('uq_persons_user_id'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_persons_lab_id'), ['lab_id'], unique=False)

    op.create_table('authorisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('activity', sa.String(length=10), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('basis_note', sa.String(length=2000), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=True),
    sa.Column('status_reason', sa.String(length=2000), nullable=True),
    sa.Column('outside_scope', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(item_id IS NULL) <> (category_id IS NULL)', name=op.f('ck_authorisations_item_or_category')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_authorisations_valid_to_after_from')),
    sa.ForeignKeyConstraint(['category_id'], ['test_categories.id'], name=op.f('fk_authorisations_category_id_test_categories')),
    sa.ForeignKeyConstraint(['item_id'], ['test_items.id'], name=op.f('fk_authorisations_item_id_test_items')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_authorisations_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorisations'))
    )
    with op.batch_alter_table('authorisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_authorisations_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_authorisations_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_authorisations_person', ['person_id', 'activity'], unique=False)

    op.create_table('exam_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('named', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= 100)', name=op.f('ck_exam_results_score_range')),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_results_exam_id_exams')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_exam_results_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_results')),
    sa.UniqueConstraint('exam_id', 'person_id', name='uq_exam_results_exam_person')
    )
    with op.batch_alter_table('exam_results', schema=None) as batch_op:
        batch_op.create_index('ix_exam_results_exam_cover', ['exam_id', 'person_id', 'status', 'score'], unique=False)
        batch_op.create_index('ix_exam_results_person', ['person_id'], unique=False)

    op.create_table('person_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('post', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_posts_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_posts')),
    sa.UniqueConstraint('person_id', 'post', name='uq_person_posts_person_post')
    )
    with op.batch_alter_table('person_posts', schema=None) as batch_op:
        batch_op.create_index('ix_person_posts_post_person', ['post', 'person_id'], unique=False)

    op.create_table('training_attendances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('hours IS NULL OR hours > 0', name=op.f('ck_training_attendances_hours_positive')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_training_attendances_person_id_persons')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_attendances_session_id_training_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_attendances')),
    sa.UniqueConstraint('session_id', 'person_id', name='uq_training_attendances_session_person')
    )
    with op.batch_alter_table('training_attendances', schema=None) as batch_op:
        batch_op.create_index('ix_training_attendances_person_session', ['person_id', 'session_id', 'hours'], unique=False)
        batch_op.create_index('ix_training_attendances_session_cover', ['session_id', 'person_id', 'hours'], unique=False)

    op.create_table('finding_persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_persons_finding_id_findings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_finding_persons_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_persons')),
    sa.UniqueConstraint('finding_id', 'person_id', name='uq_finding_persons_finding_person')
    )
    with op.batch_alter_table('finding_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_persons_person_id'), ['person_id'], unique=False)

    op.create_table('result_analysts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_result_analysts_person_id_persons')),
    sa.ForeignKeyConstraint(['result_id'], ['round_results.id'], name=op.f('fk_result_analysts_result_id_round_results'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_analysts')),
    sa.UniqueConstraint('result_id', name=op.f('uq_result_analysts_result_id'))
    )
    with op.batch_alter_table('result_analysts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_analysts_person_id'), ['person_id'], unique=False)


def downgrade():
    with op.batch_alter_table('result_analysts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_analysts_person_id'))

    op.drop_table('result_analysts')
    with op.batch_alter_table('finding_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_persons_person_id'))

    op.drop_table('finding_persons')
    with op.batch_alter_table('training_attendances', schema=None) as batch_op:
        batch_op.drop_index('ix_training_attendances_session_cover')
        batch_op.drop_index('ix_training_attendances_person_session')

    op.drop_table('training_attendances')
    with op.batch_alter_table('person_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_person_posts_post_person')

    op.drop_table('person_posts')
    with op.batch_alter_table('exam_results', schema=None) as batch_op:
        batch_op.drop_index('ix_exam_results_person')
        batch_op.drop_index('ix_exam_results_exam_cover')

    op.drop_table('exam_results')
    with op.batch_alter_table('authorisations', schema=None) as batch_op:
        batch_op.drop_index('ix_authorisations_person')
        batch_op.drop_index(batch_op.f('ix_authorisations_item_id'))
        batch_op.drop_index(batch_op.f('ix_authorisations_category_id'))

    op.drop_table('authorisations')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_persons_lab_id'))

    op.drop_table('persons')
    with op.batch_alter_table('training_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_sessions_starts_on'))
        batch_op.drop_index(batch_op.f('ix_training_sessions_organiser_lab_id'))

    op.drop_table('training_sessions')
    op.drop_table('exam_posts')
    with op.batch_alter_table('exam_labs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exam_labs_lab_id'))

    op.drop_table('exam_labs')
    with op.batch_alter_table('exams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exams_held_on'))
        batch_op.drop_index(batch_op.f('ix_exams_contest_id'))

    op.drop_table('exams')
    # ### end Alembic commands ###
