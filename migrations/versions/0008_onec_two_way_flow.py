"""1C two-way flow: request and counterparty links, written interactions, incidents, feed cursor

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('onec_request_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=36), nullable=False),
    sa.Column('onec_ref', sa.String(length=64), nullable=True),
    sa.Column('counterparty_ref', sa.String(length=64), nullable=True),
    sa.Column('client', sa.JSON(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('problems_hash', sa.String(length=64), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('candidates', sa.JSON(), nullable=False),
    sa.Column('chosen_counterparty_ref', sa.String(length=64), nullable=True),
    sa.Column('pushed_hash', sa.String(length=64), nullable=True),
    sa.Column('last_data_version_written', sa.String(length=64), nullable=True),
    sa.Column('data_version', sa.String(length=64), nullable=True),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('last_applied_seq', sa.BigInteger(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(), nullable=True),
    sa.Column('last_exchange_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_onec_request_link_portal_id_portal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_onec_request_link_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onec_request_link')),
    sa.UniqueConstraint('portal_id', 'request_id', name=op.f('uq_onec_request_link_portal_id_request_id'))
    )
    with op.batch_alter_table('onec_request_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onec_request_link_portal_id'), ['portal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_onec_request_link_onec_ref'), ['onec_ref'], unique=False)

    op.create_table('counterparty_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('b24_entity_type_id', sa.Integer(), nullable=False),
    sa.Column('b24_entity_id', sa.Integer(), nullable=False),
    sa.Column('onec_ref', sa.String(length=64), nullable=False),
    sa.Column('inn', sa.String(length=12), nullable=False),
    sa.Column('kpp', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('data_version', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_counterparty_link_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counterparty_link')),
    sa.UniqueConstraint('portal_id', 'b24_entity_type_id', 'b24_entity_id', name=op.f('uq_counterparty_link_portal_id_b24_entity_type_id_b24_entity_id'))
    )
    with op.batch_alter_table('counterparty_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counterparty_link_portal_id'), ['portal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_counterparty_link_onec_ref'), ['onec_ref'], unique=False)

    op.create_table('onec_interaction_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('interaction_id', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('request_event_id', sa.Integer(), nullable=True),
    sa.Column('b24_comment_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_onec_interaction_link_portal_id_portal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['service_request.id'], name=op.f('fk_onec_interaction_link_request_id_service_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onec_interaction_link')),
    sa.UniqueConstraint('portal_id', 'interaction_id', name=op.f('uq_onec_interaction_link_portal_id_interaction_id'))
    )
    with op.batch_alter_table('onec_interaction_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onec_interaction_link_portal_id'), ['portal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_onec_interaction_link_request_id'), ['request_id'], unique=False)

    op.create_table('onec_incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('opened_at', sa.DateTime(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('notified_user_id', sa.Integer(), nullable=True),
    sa.Column('notified_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_onec_incident_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_onec_incident'))
    )
    with op.batch_alter_table('onec_incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_onec_incident_portal_id'), ['portal_id'], unique=False)

    with op.batch_alter_table('onec_connection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_cursor', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('last_pull_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('onec_connection', schema=None) as batch_op:
        batch_op.drop_column('last_pull_at')
        batch_op.drop_column('feed_cursor')
    with op.batch_alter_table('onec_incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onec_incident_portal_id'))
    op.drop_table('onec_incident')
    with op.batch_alter_table('onec_interaction_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onec_interaction_link_request_id'))
        batch_op.drop_index(batch_op.f('ix_onec_interaction_link_portal_id'))
    op.drop_table('onec_interaction_link')
    with op.batch_alter_table('counterparty_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counterparty_link_onec_ref'))
        batch_op.drop_index(batch_op.f('ix_counterparty_link_portal_id'))
    op.drop_table('counterparty_link')
    with op.batch_alter_table('onec_request_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_onec_request_link_onec_ref'))
        batch_op.drop_index(batch_op.f('ix_onec_request_link_portal_id'))
    op.drop_table('onec_request_link')
