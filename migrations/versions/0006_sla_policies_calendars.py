"""SLA policies, business calendars and the escalation schedule

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('business_calendar',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_business_calendar_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_business_calendar')),
    sa.UniqueConstraint('portal_id', 'name', name=op.f('uq_business_calendar_portal_id_name'))
    )
    with op.batch_alter_table('business_calendar', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_business_calendar_portal_id'), ['portal_id'], unique=False)

    op.create_table('sla_policy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('request_types', sa.JSON(), nullable=False),
    sa.Column('priorities', sa.JSON(), nullable=False),
    sa.Column('first_response', sa.Integer(), nullable=True),
    sa.Column('next_response', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.Integer(), nullable=True),
    sa.Column('business_hours', sa.Boolean(), nullable=False),
    sa.Column('warning_share', sa.Float(), nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=True),
    sa.Column('second_level_share', sa.Float(), nullable=False),
    sa.Column('notify_in_working_hours_only', sa.Boolean(), nullable=False),
    sa.Column('service_manager_user_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['calendar_id'], ['business_calendar.id'], name=op.f('fk_sla_policy_calendar_id_business_calendar'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_sla_policy_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_policy')),
    sa.UniqueConstraint('portal_id', 'code', name=op.f('uq_sla_policy_portal_id_code'))
    )
    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sla_policy_portal_id'), ['portal_id'], unique=False)

    op.create_table('sla_escalation',
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.Column('episode', sa.String(length=64), nullable=False),
    sa.Column('warning_at', sa.DateTime(), nullable=True),
    sa.Column('breach_at', sa.DateTime(), nullable=True),
    sa.Column('second_at', sa.DateTime(), nullable=True),
    sa.Column('next_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_sla_escalation_portal_id_portal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_sla_escalation_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', name=op.f('pk_sla_escalation'))
    )
    with op.batch_alter_table('sla_escalation', schema=None) as batch_op:
        batch_op.create_index('ix_sla_escalation_portal_next', ['portal_id', 'next_at'], unique=False)


def downgrade():
    with op.batch_alter_table('sla_escalation', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_escalation_portal_next')
    op.drop_table('sla_escalation')
    with op.batch_alter_table('sla_policy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sla_policy_portal_id'))
    op.drop_table('sla_policy')
    with op.batch_alter_table('business_calendar', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_business_calendar_portal_id'))
    op.drop_table('business_calendar')
