"""service requests: indexes by client company and contact

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-22 07:50:00

"""
from alembic import op


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.create_index('ix_service_request_portal_id_company_id', ['portal_id', 'company_id'], unique=False)
        batch_op.create_index('ix_service_request_portal_id_contact_id', ['portal_id', 'contact_id'], unique=False)


def downgrade():
    with op.batch_alter_table('service_request', schema=None) as batch_op:
        batch_op.drop_index('ix_service_request_portal_id_contact_id')
        batch_op.drop_index('ix_service_request_portal_id_company_id')
