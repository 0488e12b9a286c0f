"""keyframes and frame hashes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 02:35:44.352929
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('analyses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=256), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('tool_versions', sa.JSON(), nullable=False),
    sa.Column('frames_decoded', sa.Integer(), nullable=True),
    sa.Column('samples', sa.Integer(), nullable=True),
    sa.Column('keyframes', sa.Integer(), nullable=True),
    sa.Column('shots', sa.Integer(), nullable=True),
    sa.Column('elapsed', sa.Float(), nullable=True),
    sa.Column('store_dir', sa.Text(), nullable=True),
    sa.Column('contact_sheet', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_analyses_media_id_media_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analyses'))
    )
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analyses_media_id'), ['media_id'], unique=False)

    op.create_table('frames',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('analysis_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('t_ms', sa.Integer(), nullable=False),
    sa.Column('frame_number', sa.Integer(), nullable=False),
    sa.Column('shot', sa.Integer(), nullable=False),
    sa.Column('phash', sa.BigInteger(), nullable=False),
    sa.Column('dhash', sa.BigInteger(), nullable=False),
    sa.Column('phash_mirror', sa.BigInteger(), nullable=False),
    sa.Column('dhash_mirror', sa.BigInteger(), nullable=False),
    sa.Column('pdq', sa.String(length=64), nullable=False),
    sa.Column('pdq_quality', sa.Integer(), nullable=False),
    sa.Column('crop_x', sa.Integer(), nullable=False),
    sa.Column('crop_y', sa.Integer(), nullable=False),
    sa.Column('crop_w', sa.Integer(), nullable=False),
    sa.Column('crop_h', sa.Integer(), nullable=False),
    sa.Column('low_info', sa.Boolean(), nullable=False),
    sa.Column('image_path', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['analysis_id'], ['analyses.id'], name=op.f('fk_frames_analysis_id_analyses')),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_frames_media_id_media_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_frames'))
    )
    with op.batch_alter_table('frames', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_frames_analysis_id'), ['analysis_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_frames_media_id'), ['media_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('frames', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_frames_media_id'))
        batch_op.drop_index(batch_op.f('ix_frames_analysis_id'))

    op.drop_table('frames')
    with op.batch_alter_table('analyses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analyses_media_id'))

    op.drop_table('analyses')

