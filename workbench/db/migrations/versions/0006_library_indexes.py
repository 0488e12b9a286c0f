"""indexes behind the library page's filters

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 06:00:00
"""
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# (table, column): the filters of workbench.library read these, and a video's sources, units and
# events are found from the video's or the unit's / event's side (the primary keys start with the other column).
INDEXES = [
    ('sources', 'availability'),
    ('sources', 'upload_date'),
    ('source_media', 'media_id'),
    ('tags', 'place'),
    ('tags', 'admin1'),
    ('tags', 'recorded_date'),
    ('tags', 'verification'),
    ('tag_units', 'unit_id'),
    ('tag_events', 'event_id'),
]


def upgrade() -> None:
    for table, column in INDEXES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f'ix_{table}_{column}'), [column], unique=False)


def downgrade() -> None:
    for table, column in reversed(INDEXES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
