"""catalogue: sources, media files, acquisitions, checks

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 02:17:39.481643
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('media_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('ext', sa.String(length=16), nullable=False),
    sa.Column('store_path', sa.Text(), nullable=False),
    sa.Column('container', sa.String(length=128), nullable=True),
    sa.Column('codec', sa.String(length=64), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('fps', sa.Float(), nullable=True),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('frame_count', sa.Integer(), nullable=True),
    sa.Column('rotation', sa.Integer(), nullable=True),
    sa.Column('audio_codec', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media_files')),
    sa.UniqueConstraint('sha256', name=op.f('uq_media_files_sha256'))
    )
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=2048), nullable=False),
    sa.Column('original_url', sa.Text(), nullable=False),
    sa.Column('canonical_url', sa.Text(), nullable=True),
    sa.Column('extractor', sa.String(length=128), nullable=True),
    sa.Column('platform_id', sa.String(length=512), nullable=True),
    sa.Column('uploader', sa.Text(), nullable=True),
    sa.Column('uploader_id', sa.Text(), nullable=True),
    sa.Column('channel', sa.Text(), nullable=True),
    sa.Column('channel_id', sa.Text(), nullable=True),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('upload_date', sa.Date(), nullable=True),
    sa.Column('timestamp', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration', sa.Float(), nullable=True),
    sa.Column('first_archived_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('availability', sa.String(length=16), nullable=False),
    sa.Column('availability_message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('key', name=op.f('uq_sources_key'))
    )
    op.create_table('acquisitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acquired_by', sa.String(length=256), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('tool_versions', sa.JSON(), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('original_path', sa.Text(), nullable=True),
    sa.Column('original_mtime', sa.DateTime(timezone=True), nullable=True),
    sa.Column('info_json_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_acquisitions_media_id_media_files')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_acquisitions_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_acquisitions'))
    )
    with op.batch_alter_table('acquisitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_acquisitions_media_id'), ['media_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_acquisitions_source_id'), ['source_id'], unique=False)

    op.create_table('source_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_by', sa.String(length=256), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('availability', sa.String(length=16), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('media_id', sa.Integer(), nullable=True),
    sa.Column('info_json_sha256', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_source_checks_media_id_media_files')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_source_checks_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source_checks'))
    )
    with op.batch_alter_table('source_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_checks_source_id'), ['source_id'], unique=False)

    op.create_table('source_media',
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_source_media_media_id_media_files')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_source_media_source_id_sources')),
    sa.PrimaryKeyConstraint('source_id', 'media_id', name=op.f('pk_source_media'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('acquisition_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=256), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('ext', sa.String(length=16), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('store_path', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['acquisition_id'], ['acquisitions.id'], name=op.f('fk_attachments_acquisition_id_acquisitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('acquisition_id', 'kind', 'sha256', name='uq_attachment')
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_acquisition_id'), ['acquisition_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_acquisition_id'))

    op.drop_table('attachments')
    op.drop_table('source_media')
    with op.batch_alter_table('source_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_checks_source_id'))

    op.drop_table('source_checks')
    with op.batch_alter_table('acquisitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_acquisitions_source_id'))
        batch_op.drop_index(batch_op.f('ix_acquisitions_media_id'))

    op.drop_table('acquisitions')
    op.drop_table('sources')
    op.drop_table('media_files')

