"""issue 16: controlled documents, surveys, complaints

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 03:30:00

Controlled documents of labs and of the bureau with every revision (one effective revision per
document, enforced by a partial unique index); the documents a finding's rectification revises;
questionnaires, their questions and choices, survey campaigns, returned questionnaires and their
answers; complaints about labs with the audit and finding raised from them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('controlled_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lab_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('subject', sa.String(length=32), nullable=True),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('code_key', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('review_interval_months', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('last_reviewed_on', sa.Date(), nullable=True),
    sa.Column('review_due_on', sa.Date(), nullable=True),
    sa.Column('withdrawn_on', sa.Date(), nullable=True),
    sa.Column('withdrawal_reason', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_controlled_documents_created_by_id_users')),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_controlled_documents_lab_id_labs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_controlled_documents')),
    sa.UniqueConstraint('code_key', name=op.f('uq_controlled_documents_code_key'))
    )
    with op.batch_alter_table('controlled_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_controlled_documents_issued_on'), ['issued_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_controlled_documents_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_controlled_documents_lab_id'), ['lab_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_controlled_documents_review_due_on'), ['review_due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_controlled_documents_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_controlled_documents_withdrawn_on'), ['withdrawn_on'], unique=False)

    op.create_table('questionnaires',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('code_key', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_questionnaires_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaires')),
    sa.UniqueConstraint('code_key', name=op.f('uq_questionnaires_code_key'))
    )
    op.create_table('document_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('change_note', sa.Text(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('filename', sa.String(length=200), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('file_kind', sa.String(length=16), nullable=True),
    sa.Column('content_type', sa.String(length=120), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('effective_on', sa.Date(), nullable=True),
    sa.Column('first_issue', sa.Boolean(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('last_comment', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_document_revisions_approved_by_id_users')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_document_revisions_author_id_users')),
    sa.ForeignKeyConstraint(['document_id'], ['controlled_documents.id'], name=op.f('fk_document_revisions_document_id_controlled_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_revisions')),
    sa.UniqueConstraint('document_id', 'label', name='uq_document_revisions_document_id_label'),
    sa.UniqueConstraint('document_id', 'number', name='uq_document_revisions_document_id_number')
    )
    with op.batch_alter_table('document_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_revisions_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_revisions_effective_on'), ['effective_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_document_revisions_status'), ['status'], unique=False)
        batch_op.create_index('uq_document_revisions_one_effective', ['document_id'], unique=True, sqlite_where=sa.text("status = 'effective'"), postgresql_where=sa.text("status = 'effective'"))

    op.create_table('survey_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text_zh', sa.String(length=500), nullable=False),
    sa.Column('text_en', sa.String(length=500), nullable=False),
    sa.Column('scale_min', sa.Integer(), nullable=True),
    sa.Column('scale_max', sa.Integer(), nullable=True),
    sa.Column('low_label_zh', sa.String(length=60), nullable=True),
    sa.Column('low_label_en', sa.String(length=60), nullable=True),
    sa.Column('high_label_zh', sa.String(length=60), nullable=True),
    sa.Column('high_label_en', sa.String(length=60), nullable=True),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_survey_questions_questionnaire_id_questionnaires')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_questions')),
    sa.UniqueConstraint('questionnaire_id', 'key', name='uq_survey_questions_questionnaire_id_key')
    )
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_questions_questionnaire_id'), ['questionnaire_id'], unique=False)

    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('code_key', sa.String(length=80), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('audience_note', sa.Text(), nullable=True),
    sa.Column('region', sa.String(length=80), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('closes_on', sa.Date(), nullable=True),
    sa.Column('copies_issued', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_surveys_created_by_id_users')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaires.id'], name=op.f('fk_surveys_questionnaire_id_questionnaires')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    sa.UniqueConstraint('code_key', name=op.f('uq_surveys_code_key'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_audience'), ['audience'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveys_issued_on'), ['issued_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveys_questionnaire_id'), ['questionnaire_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_surveys_region'), ['region'], unique=False)

    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('lab_id', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('complainant_name', sa.String(length=120), nullable=True),
    sa.Column('complainant_contact', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('acknowledged_on', sa.Date(), nullable=True),
    sa.Column('investigated_on', sa.Date(), nullable=True),
    sa.Column('investigation', sa.Text(), nullable=True),
    sa.Column('outcome', sa.String(length=24), nullable=True),
    sa.Column('audit_id', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('feedback_on', sa.Date(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.Column('last_comment', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['audit_id'], ['audits.id'], name=op.f('fk_complaints_audit_id_audits')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_complaints_created_by_id_users')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_complaints_finding_id_findings')),
    sa.ForeignKeyConstraint(['lab_id'], ['labs.id'], name=op.f('fk_complaints_lab_id_labs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('reference', name=op.f('uq_complaints_reference'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_audit_id'), ['audit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_channel'), ['channel'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_feedback_on'), ['feedback_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_lab_id'), ['lab_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_received_on'), ['received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_status'), ['status'], unique=False)

    op.create_table('finding_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_finding_documents_finding_id_findings')),
    sa.ForeignKeyConstraint(['linked_by_id'], ['users.id'], name=op.f('fk_finding_documents_linked_by_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['document_revisions.id'], name=op.f('fk_finding_documents_revision_id_document_revisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_finding_documents')),
    sa.UniqueConstraint('finding_id', 'revision_id', name='uq_finding_documents_finding_id_revision_id')
    )
    with op.batch_alter_table('finding_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_finding_documents_finding_id'), ['finding_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_finding_documents_revision_id'), ['revision_id'], unique=False)

    op.create_table('survey_choices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.String(length=16), nullable=False),
    sa.Column('label_zh', sa.String(length=200), nullable=False),
    sa.Column('label_en', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['survey_questions.id'], name=op.f('fk_survey_choices_question_id_survey_questions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_choices')),
    sa.UniqueConstraint('question_id', 'value', name='uq_survey_choices_question_id_value')
    )
    with op.batch_alter_table('survey_choices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_choices_question_id'), ['question_id'], unique=False)

    op.create_table('survey_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('sheet', sa.String(length=32), nullable=True),
    sa.Column('returned_on', sa.Date(), nullable=True),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_survey_responses_entered_by_id_users')),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_survey_responses_survey_id_surveys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('survey_id', 'sheet', name='uq_survey_responses_survey_id_sheet')
    )
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_responses_survey_id'), ['survey_id'], unique=False)

    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('choice_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['choice_id'], ['survey_choices.id'], name=op.f('fk_survey_answers_choice_id_survey_choices')),
    sa.ForeignKeyConstraint(['question_id'], ['survey_questions.id'], name=op.f('fk_survey_answers_question_id_survey_questions')),
    sa.ForeignKeyConstraint(['response_id'], ['survey_responses.id'], name=op.f('fk_survey_answers_response_id_survey_responses')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('response_id', 'question_id', name='uq_survey_answers_response_id_question_id')
    )
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_answers_response_id'), ['response_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_answers_response_id'))
        batch_op.drop_index(batch_op.f('ix_survey_answers_question_id'))

    op.drop_table('survey_answers')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_responses_survey_id'))

    op.drop_table('survey_responses')
    with op.batch_alter_table('survey_choices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_choices_question_id'))

    op.drop_table('survey_choices')
    with op.batch_alter_table('finding_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_finding_documents_revision_id'))
        batch_op.drop_index(batch_op.f('ix_finding_documents_finding_id'))

    op.drop_table('finding_documents')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_status'))
        batch_op.drop_index(batch_op.f('ix_complaints_received_on'))
        batch_op.drop_index(batch_op.f('ix_complaints_outcome'))
        batch_op.drop_index(batch_op.f('ix_complaints_lab_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_finding_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_feedback_on'))
        batch_op.drop_index(batch_op.f('ix_complaints_channel'))
        batch_op.drop_index(batch_op.f('ix_complaints_audit_id'))

    op.drop_table('complaints')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surveys_region'))
        batch_op.drop_index(batch_op.f('ix_surveys_questionnaire_id'))
        batch_op.drop_index(batch_op.f('ix_surveys_issued_on'))
        batch_op.drop_index(batch_op.f('ix_surveys_audience'))

    op.drop_table('surveys')
    with op.batch_alter_table('survey_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_questions_questionnaire_id'))

    op.drop_table('survey_questions')
    with op.batch_alter_table('document_revisions', schema=None) as batch_op:
        batch_op.drop_index('uq_document_revisions_one_effective', sqlite_where=sa.text("status = 'effective'"), postgresql_where=sa.text("status = 'effective'"))
        batch_op.drop_index(batch_op.f('ix_document_revisions_status'))
        batch_op.drop_index(batch_op.f('ix_document_revisions_effective_on'))
        batch_op.drop_index(batch_op.f('ix_document_revisions_document_id'))

    op.drop_table('document_revisions')
    op.drop_table('questionnaires')
    with op.batch_alter_table('controlled_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_controlled_documents_withdrawn_on'))
        batch_op.drop_index(batch_op.f('ix_controlled_documents_status'))
        batch_op.drop_index(batch_op.f('ix_controlled_documents_review_due_on'))
        batch_op.drop_index(batch_op.f('ix_controlled_documents_lab_id'))
        batch_op.drop_index(batch_op.f('ix_controlled_documents_kind'))
        batch_op.drop_index(batch_op.f('ix_controlled_documents_issued_on'))

    op.drop_table('controlled_documents')
