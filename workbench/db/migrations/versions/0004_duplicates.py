"""duplicate pair reviews

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 03:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duplicate_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_a_id', sa.Integer(), nullable=False),
    sa.Column('media_b_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('reviewed_by', sa.String(length=256), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.CheckConstraint('media_a_id < media_b_id', name=op.f('ck_duplicate_reviews_ordered_pair')),
    sa.ForeignKeyConstraint(['media_a_id'], ['media_files.id'], name=op.f('fk_duplicate_reviews_media_a_id_media_files')),
    sa.ForeignKeyConstraint(['media_b_id'], ['media_files.id'], name=op.f('fk_duplicate_reviews_media_b_id_media_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_reviews'))
    )
    with op.batch_alter_table('duplicate_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_reviews_media_a_id'), ['media_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_reviews_media_b_id'), ['media_b_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('duplicate_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_reviews_media_b_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_reviews_media_a_id'))
    op.drop_table('duplicate_reviews')
