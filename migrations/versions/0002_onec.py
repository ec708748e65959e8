"""1C link: connection, inbox of pushes from 1C, exchange log, 1C columns of the request mirror

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('onec_connection',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('base_url', sa.String(length=500), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password', sa.Text(), nullable=True),
    sa.Column('tz', sa.String(length=64), nullable=True),
    sa.Column('last_check_at', sa.DateTime(), nullable=True),
    sa.Column('last_check_ok', sa.Boolean(), nullable=True),
    sa.Column('last_check_message', sa.Text(), nullable=True),
    sa.Column('push_token_hash', sa.String(length=64), nullable=True),
    sa.Column('hmac_secret', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_onec_connection_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onec_connection')),
    sa.UniqueConstraint('portal_id', name=op.f('uq_onec_connection_portal_id')),
    sa.UniqueConstraint('push_token_hash', name=op.f('uq_onec_connection_push_token_hash'))
    )
    op.create_table('onec_inbox_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=True),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_onec_inbox_item_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onec_inbox_item')),
    sa.UniqueConstraint('portal_id', 'seq', name=op.f('uq_onec_inbox_item_portal_id_seq'))
    )
    with op.batch_alter_table('onec_inbox_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onec_inbox_item_portal_id'), ['portal_id'], unique=False)

    op.create_table('exchange_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('object_kind', sa.String(length=32), nullable=False),
    sa.Column('object_ref', sa.String(length=64), nullable=True),
    sa.Column('operation', sa.String(length=64), nullable=False),
    sa.Column('result', sa.String(length=8), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('error_text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_exchange_log_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_log'))
    )
    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_log_portal_id_at', ['portal_id', 'at'], unique=False)

    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('onec_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('onec_number', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('onec_status', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_service_request_portal_id_onec_ref', ['portal_id', 'onec_ref'], unique=False)


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_portal_id_onec_ref')
        batch_op.drop_column('onec_status')
        batch_op.drop_column('onec_number')
        batch_op.drop_column('onec_ref')

    with op.batch_alter_table('exchange_log', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_log_portal_id_at')

    op.drop_table('exchange_log')
    with op.batch_alter_table('onec_inbox_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onec_inbox_item_portal_id'))

    op.drop_table('onec_inbox_item')
    op.drop_table('onec_connection')
