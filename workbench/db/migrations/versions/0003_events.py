"""events: events, units, tags, revisions, archive queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 02:35:02.769623
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id_cnty', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('event_date', sa.Date(), nullable=False),
    sa.Column('time_precision', sa.Integer(), nullable=False),
    sa.Column('date_from', sa.Date(), nullable=True),
    sa.Column('date_to', sa.Date(), nullable=True),
    sa.Column('disorder_type', sa.String(length=64), nullable=True),
    sa.Column('event_type', sa.String(length=64), nullable=False),
    sa.Column('sub_event_type', sa.String(length=64), nullable=False),
    sa.Column('actor1', sa.Text(), nullable=True),
    sa.Column('assoc_actor_1', sa.Text(), nullable=True),
    sa.Column('inter1', sa.String(length=64), nullable=True),
    sa.Column('actor2', sa.Text(), nullable=True),
    sa.Column('assoc_actor_2', sa.Text(), nullable=True),
    sa.Column('inter2', sa.String(length=64), nullable=True),
    sa.Column('interaction', sa.String(length=128), nullable=True),
    sa.Column('civilian_targeting', sa.String(length=64), nullable=True),
    sa.Column('iso', sa.String(length=8), nullable=True),
    sa.Column('region', sa.String(length=64), nullable=True),
    sa.Column('country', sa.String(length=64), nullable=True),
    sa.Column('admin1', sa.String(length=128), nullable=True),
    sa.Column('admin2', sa.String(length=128), nullable=True),
    sa.Column('admin3', sa.String(length=128), nullable=True),
    sa.Column('location', sa.String(length=256), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('geo_precision', sa.Integer(), nullable=True),
    sa.Column('source', sa.Text(), nullable=True),
    sa.Column('source_scale', sa.String(length=128), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('fatalities', sa.Integer(), nullable=True),
    sa.Column('tags', sa.Text(), nullable=True),
    sa.Column('acled_timestamp', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=256), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=256), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('event_id_cnty', name=op.f('uq_events_event_id_cnty'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_event_date'), ['event_date'], unique=False)

    op.create_table('revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=16), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('author', sa.String(length=256), nullable=False),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_revisions')),
    sa.UniqueConstraint('entity', 'entity_id', 'version', name='uq_revision')
    )
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revisions_entity_id'), ['entity_id'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('name_ar', sa.String(length=256), nullable=True),
    sa.Column('side', sa.String(length=32), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=256), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], name=op.f('fk_units_parent_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('name', name=op.f('uq_units_name'))
    )
    op.create_table('archive_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('found_in', sa.Text(), nullable=True),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('queued_by', sa.String(length=256), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_archive_queue_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_queue'))
    )
    op.create_table('event_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('media_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_sources_event_id_events')),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_event_sources_media_id_media_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_sources'))
    )
    with op.batch_alter_table('event_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_sources_event_id'), ['event_id'], unique=False)

    op.create_table('event_units',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_units_event_id_events')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_event_units_unit_id_units')),
    sa.PrimaryKeyConstraint('event_id', 'unit_id', name=op.f('pk_event_units'))
    )
    op.create_table('tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('media_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('start_s', sa.Float(), nullable=True),
    sa.Column('end_s', sa.Float(), nullable=True),
    sa.Column('keyframe_ms', sa.Integer(), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('place', sa.String(length=256), nullable=True),
    sa.Column('admin1', sa.String(length=128), nullable=True),
    sa.Column('precision', sa.String(length=16), nullable=True),
    sa.Column('method', sa.String(length=32), nullable=True),
    sa.Column('confidence', sa.String(length=16), nullable=True),
    sa.Column('point_of', sa.String(length=16), nullable=True),
    sa.Column('location_note', sa.Text(), nullable=True),
    sa.Column('recorded_date', sa.Date(), nullable=True),
    sa.Column('recorded_time', sa.String(length=8), nullable=True),
    sa.Column('recorded_precision', sa.String(length=16), nullable=True),
    sa.Column('recorded_from', sa.Date(), nullable=True),
    sa.Column('recorded_to', sa.Date(), nullable=True),
    sa.Column('verification', sa.String(length=24), nullable=False),
    sa.Column('graphic', sa.Boolean(), nullable=False),
    sa.Column('personal_info', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=256), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=256), nullable=False),
    sa.ForeignKeyConstraint(['media_id'], ['media_files.id'], name=op.f('fk_tags_media_id_media_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tags'))
    )
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tags_media_id'), ['media_id'], unique=False)

    op.create_table('unit_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=256), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_aliases_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_aliases')),
    sa.UniqueConstraint('unit_id', 'alias', name='uq_unit_alias')
    )
    with op.batch_alter_table('unit_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_aliases_unit_id'), ['unit_id'], unique=False)

    op.create_table('tag_events',
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_tag_events_event_id_events')),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_tag_events_tag_id_tags')),
    sa.PrimaryKeyConstraint('tag_id', 'event_id', name=op.f('pk_tag_events'))
    )
    op.create_table('tag_units',
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['tag_id'], ['tags.id'], name=op.f('fk_tag_units_tag_id_tags')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_tag_units_unit_id_units')),
    sa.PrimaryKeyConstraint('tag_id', 'unit_id', name=op.f('pk_tag_units'))
    )


def downgrade() -> None:
    op.drop_table('tag_units')
    op.drop_table('tag_events')
    with op.batch_alter_table('unit_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_aliases_unit_id'))

    op.drop_table('unit_aliases')
    with op.batch_alter_table('tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tags_media_id'))

    op.drop_table('tags')
    op.drop_table('event_units')
    with op.batch_alter_table('event_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_sources_event_id'))

    op.drop_table('event_sources')
    op.drop_table('archive_queue')
    op.drop_table('units')
    with op.batch_alter_table('revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revisions_entity_id'))

    op.drop_table('revisions')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_event_date'))

    op.drop_table('events')
