"""knowledge base: articles, their use by operators, gaps

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kb_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_format', sa.String(length=16), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('product', sa.String(length=120), nullable=False),
    sa.Column('symptoms', sa.Text(), nullable=False),
    sa.Column('causes', sa.Text(), nullable=False),
    sa.Column('remedy', sa.Text(), nullable=False),
    sa.Column('links', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_kb_article_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_article')),
    sa.UniqueConstraint('portal_id', 'slug', name=op.f('uq_kb_article_portal_id_slug'))
    )
    with op.batch_alter_table('kb_article', schema=None) as batch_op:
        batch_op.create_index('ix_kb_article_portal_status', ['portal_id', 'status'], unique=False)

    op.create_table('kb_gap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('gap_key', sa.String(length=500), nullable=False),
    sa.Column('sample_query', sa.Text(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('last_seen', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_kb_gap_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_gap')),
    sa.UniqueConstraint('portal_id', 'gap_key', name=op.f('uq_kb_gap_portal_id_gap_key'))
    )
    op.create_table('kb_use',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('portal_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=False),
    sa.Column('request_b24_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('signal', sa.String(length=16), nullable=False),
    sa.Column('query_text', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['kb_article.id'], name=op.f('fk_kb_use_article_id_kb_article'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['portal_id'], ['portal.id'], name=op.f('fk_kb_use_portal_id_portal'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kb_use'))
    )
    with op.batch_alter_table('kb_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kb_use_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kb_use_portal_id'), ['portal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('kb_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kb_use_portal_id'))
        batch_op.drop_index(batch_op.f('ix_kb_use_article_id'))

    op.drop_table('kb_use')
    op.drop_table('kb_gap')
    with op.batch_alter_table('kb_article', schema=None) as batch_op:
        batch_op.drop_index('ix_kb_article_portal_status')

    op.drop_table('kb_article')
