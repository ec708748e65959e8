"""client notifications (templates, sent messages) and CSAT/NPS surveys

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 04:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notification_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_notification_template_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_template')),
    sa.UniqueConstraint('portal_id', 'event', name=op.f('uq_notification_template_portal_id_event'))
    )
    with op.batch_alter_table('notification_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_template_portal_id'), ['portal_id'], unique=False)

    op.create_table('client_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=16), nullable=False),
    sa.Column('stage_entry_ref', sa.String(length=100), nullable=False),
    sa.Column('to_email', sa.String(length=255), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=True),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('timeline_comment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_client_notification_portal_id_portal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_client_notification_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_client_notification')),
    sa.UniqueConstraint('portal_id', 'request_id', 'event', 'stage_entry_ref', name='uq_client_notification_stage_entry')
    )
    with op.batch_alter_table('client_notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_client_notification_portal_id'), ['portal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_client_notification_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_client_notification_portal_status', ['portal_id', 'status'], unique=False)

    op.create_table('survey',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('resolution_ref', sa.String(length=100), nullable=False),
    sa.Column('jti', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('answered_at', sa.DateTime(), nullable=True),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('nps', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('csat_written_at', sa.DateTime(), nullable=True),
    sa.Column('timeline_comment_id', sa.Integer(), nullable=True),
    sa.Column('head_notified_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_survey_portal_id_portal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_survey_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey')),
    sa.UniqueConstraint('jti', name=op.f('uq_survey_jti')),
    sa.UniqueConstraint('portal_id', 'request_id', 'resolution_ref', name=op.f('uq_survey_portal_id_request_id_resolution_ref'))
    )
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_portal_id'), ['portal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_request_id'), ['request_id'], unique=False)


def downgrade():
    with op.batch_alter_table('survey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_request_id'))
        batch_op.drop_index(batch_op.f('ix_survey_portal_id'))
    op.drop_table('survey')

    with op.batch_alter_table('client_notification', schema=None) as batch_op:
        batch_op.drop_index('ix_client_notification_portal_status')
        batch_op.drop_index(batch_op.f('ix_client_notification_request_id'))
        batch_op.drop_index(batch_op.f('ix_client_notification_portal_id'))
    op.drop_table('client_notification')

    with op.batch_alter_table('notification_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_template_portal_id'))
    op.drop_table('notification_template')
