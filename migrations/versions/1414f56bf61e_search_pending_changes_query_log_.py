"""search: pending changes, query log, postgres documents and vocabulary

Revision ID: 1414f56bf61e
Revises: 06245252dd62
Create Date: 2026-11-25 22:57:37.635577

The PostgreSQL backend's tables exist on every database (one schema for the models and the
migrations); their PostgreSQL-only parts are dialect variants: TSVECTOR and ARRAY columns are
TEXT and JSON elsewhere, GIN and trigram indexes are plain indexes elsewhere, and the pg_trgm
extension is created on PostgreSQL only.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '1414f56bf61e'
down_revision = '06245252dd62'
branch_labels = None
depends_on = None


def text_array():
    return sa.JSON().with_variant(postgresql.ARRAY(sa.Text()), 'postgresql')


def int_array():
    return sa.JSON().with_variant(postgresql.ARRAY(sa.Integer()), 'postgresql')


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # Trigram operator classes for the vocabulary's "did you mean" index.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')

    op.create_table('search_document',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('tags', text_array(), nullable=False),
    sa.Column('tag_keys', text_array(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('author_keys', text_array(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('space_name', sa.String(length=200), nullable=False),
    sa.Column('space_keys', text_array(), nullable=False),
    sa.Column('audience_teams', int_array(), nullable=False),
    sa.Column('audience_locations', text_array(), nullable=False),
    sa.Column('audience_languages', text_array(), nullable=False),
    sa.Column('statuses', text_array(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('visible_from', sa.DateTime(timezone=True), nullable=True),
    sa.Column('visible_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('indexed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('search_vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_document'))
    )
    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.create_index('ix_search_document_author_keys', ['author_keys'], unique=False, postgresql_using='gin')
        batch_op.create_index(batch_op.f('ix_search_document_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_search_document_search_vector', ['search_vector'], unique=False, postgresql_using='gin')
        batch_op.create_index(batch_op.f('ix_search_document_space_id'), ['space_id'], unique=False)
        batch_op.create_index('ix_search_document_space_keys', ['space_keys'], unique=False, postgresql_using='gin')
        batch_op.create_index('ix_search_document_tag_keys', ['tag_keys'], unique=False, postgresql_using='gin')
        batch_op.create_index(batch_op.f('ix_search_document_type'), ['type'], unique=False)

    op.create_table('search_pending_change',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_search_pending_change'))
    )
    with op.batch_alter_table('search_pending_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_pending_change_changed_at'), ['changed_at'], unique=False)

    op.create_table('search_query_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('query', sa.String(length=256), nullable=False),
    sa.Column('normalized', sa.String(length=256), nullable=False),
    sa.Column('results', sa.Integer(), nullable=False),
    sa.Column('corrected', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('searched_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_query_log'))
    )
    with op.batch_alter_table('search_query_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_query_log_normalized'), ['normalized'], unique=False)
        batch_op.create_index(batch_op.f('ix_search_query_log_searched_at'), ['searched_at'], unique=False)

    op.create_table('search_word',
    sa.Column('word', sa.String(length=100), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('word', name=op.f('pk_search_word'))
    )
    with op.batch_alter_table('search_word', schema=None) as batch_op:
        batch_op.create_index('ix_search_word_word_trgm', ['word'], unique=False, postgresql_using='gin', postgresql_ops={'word': 'gin_trgm_ops'})


def downgrade():
    # pg_trgm stays installed: other features (or the operator's own indexes) may use it.
    with op.batch_alter_table('search_word', schema=None) as batch_op:
        batch_op.drop_index('ix_search_word_word_trgm')
    op.drop_table('search_word')

    with op.batch_alter_table('search_query_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_query_log_searched_at'))
        batch_op.drop_index(batch_op.f('ix_search_query_log_normalized'))
    op.drop_table('search_query_log')

    with op.batch_alter_table('search_pending_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_pending_change_changed_at'))
    op.drop_table('search_pending_change')

    with op.batch_alter_table('search_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_document_type'))
        batch_op.drop_index('ix_search_document_tag_keys')
        batch_op.drop_index('ix_search_document_space_keys')
        batch_op.drop_index(batch_op.f('ix_search_document_space_id'))
        batch_op.drop_index('ix_search_document_search_vector')
        batch_op.drop_index(batch_op.f('ix_search_document_created_at'))
        batch_op.drop_index('ix_search_document_author_keys')
    op.drop_table('search_document')
