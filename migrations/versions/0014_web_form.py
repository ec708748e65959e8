"""web form submissions

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-22 06:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'web_form_submission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('portal_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('source_hash', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('phone', sa.String(length=32), nullable=False),
        sa.Column('company', sa.String(length=255), nullable=False),
        sa.Column('inn', sa.String(length=12), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('contact_b24_id', sa.Integer(), nullable=True),
        sa.Column('item_b24_id', sa.Integer(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_web_form_submission_portal_id_portal'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_web_form_submission')),
    )
    with op.batch_alter_table('web_form_submission', schema=None) as batch_op:
        batch_op.create_index('ix_web_form_submission_portal_source', ['portal_id', 'source_hash', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_form_submission_portal_id'), ['portal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('web_form_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_form_submission_portal_id'))
        batch_op.drop_index('ix_web_form_submission_portal_source')
    op.drop_table('web_form_submission')
