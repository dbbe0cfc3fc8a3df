"""Profile pictures (user.avatar_id), the appearance setting (user.theme), the first-run checklist (user.onboarded_at) and link previews
(content.site_name, content.preview_fetched_at).

Revision ID: c93732e2f1c0
Revises: aeda14f173f5
Create Date: 2026-12-04 22:02:52.456712

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c93732e2f1c0'
down_revision = 'aeda14f173f5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('content', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_name', sa.String(length=120), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('preview_fetched_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avatar_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('theme', sa.String(length=8), nullable=False, server_default='system'))
        batch_op.add_column(sa.Column('onboarded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_avatar_id'), ['avatar_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_user_avatar_id_stored_image'), 'stored_image', ['avatar_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_avatar_id_stored_image'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_avatar_id'))
        batch_op.drop_column('onboarded_at')
        batch_op.drop_column('theme')
        batch_op.drop_column('avatar_id')

    with op.batch_alter_table('content', schema=None) as batch_op:
        batch_op.drop_column('preview_fetched_at')
        batch_op.drop_column('site_name')

