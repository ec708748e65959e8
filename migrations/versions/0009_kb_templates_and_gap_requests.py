"""knowledge base: reply templates, their use, requests counted per gap

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kb_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_kb_template_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_template'))
    )
    with op.batch_alter_table('kb_template', schema=None) as batch_op:
        batch_op.create_index('ix_kb_template_portal_active', ['portal_id', 'active'], unique=False)

    op.create_table('kb_template_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=False),
    sa.Column('request_b24_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('signal', sa.String(length=16), nullable=False),
    sa.Column('query_text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_kb_template_use_portal_id_portal'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['kb_template.id'], name=op.f('fk_kb_template_use_template_id_kb_template'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_template_use'))
    )
    with op.batch_alter_table('kb_template_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_template_use_portal_id'), ['portal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_template_use_template_id'), ['template_id'], unique=False)

    op.create_table('kb_gap_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('gap_id', sa.Integer(), nullable=False),
    sa.Column('request_b24_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['gap_id'], ['kb_gap.id'], name=op.f('fk_kb_gap_request_gap_id_kb_gap'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_kb_gap_request_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_gap_request')),
    sa.UniqueConstraint('gap_id', 'request_b24_id', name=op.f('uq_kb_gap_request_gap_id_request_b24_id'))
    )
    with op.batch_alter_table('kb_gap_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_gap_request_portal_id'), ['portal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kb_gap_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_gap_request_portal_id'))

    op.drop_table('kb_gap_request')
    with op.batch_alter_table('kb_template_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_template_use_template_id'))
        batch_op.drop_index(batch_op.f('ix_kb_template_use_portal_id'))

    op.drop_table('kb_template_use')
    with op.batch_alter_table('kb_template', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_template_portal_active')

    op.drop_table('kb_template')
