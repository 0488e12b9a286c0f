"""near-duplicate pairs found by the matcher

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 04:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duplicate_matches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_a_id', sa.Integer(), nullable=False),
    sa.Column('media_b_id', sa.Integer(), nullable=False),
    sa.Column('analysis_a_id', sa.Integer(), nullable=True),
    sa.Column('analysis_b_id', sa.Integer(), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('a_coverage', sa.Float(), nullable=False),
    sa.Column('b_coverage', sa.Float(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('media_a_id < media_b_id', name=op.f('ck_duplicate_matches_ordered_pair')),
    sa.ForeignKeyConstraint(['analysis_a_id'], ['analyses.id'], name=op.f('fk_duplicate_matches_analysis_a_id_analyses')),
    sa.ForeignKeyConstraint(['analysis_b_id'], ['analyses.id'], name=op.f('fk_duplicate_matches_analysis_b_id_analyses')),
    sa.ForeignKeyConstraint(['media_a_id'], ['media_files.id'], name=op.f('fk_duplicate_matches_media_a_id_media_files')),
    sa.ForeignKeyConstraint(['media_b_id'], ['media_files.id'], name=op.f('fk_duplicate_matches_media_b_id_media_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_matches')),
    sa.UniqueConstraint('media_a_id', 'media_b_id', name='uq_duplicate_match_pair')
    )
    with op.batch_alter_table('duplicate_matches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_matches_media_a_id'), ['media_a_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_matches_media_b_id'), ['media_b_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('duplicate_matches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duplicate_matches_media_b_id'))
        batch_op.drop_index(batch_op.f('ix_duplicate_matches_media_a_id'))
    op.drop_table('duplicate_matches')
