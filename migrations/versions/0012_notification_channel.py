"""client notifications: the channel they went by (email or an open-line chat)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 05:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('client_notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=16), server_default='email', nullable=False))


def downgrade():
    with op.batch_alter_table('client_notification', schema=None) as batch_op:
        batch_op.drop_column('channel')
