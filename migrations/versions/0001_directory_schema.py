"""The directory schema, with a spatial index per dialect.

PostgreSQL: PostGIS, and a ``geography(Point, 4326)`` column generated from latitude and
longitude (so it can never disagree with them) under a GiST index.
SQLite: an R*Tree of location points kept in step by triggers in the same transaction.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table('api_key',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_hash', sa.String(length=128), nullable=False),
    sa.Column('scopes', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_key')),
    sa.UniqueConstraint('name', name=op.f('uq_api_key_name'))
    )
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_key_prefix'), ['prefix'], unique=False)

    op.create_table('area',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('geometry', sa.Text(), nullable=False),
    sa.Column('min_latitude', sa.Float(), nullable=False),
    sa.Column('min_longitude', sa.Float(), nullable=False),
    sa.Column('max_latitude', sa.Float(), nullable=False),
    sa.Column('max_longitude', sa.Float(), nullable=False),
    sa.Column('center_latitude', sa.Float(), nullable=False),
    sa.Column('center_longitude', sa.Float(), nullable=False),
    sa.Column('source_url', sa.String(length=2000), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('kind = lower(kind) AND length(kind) > 0', name=op.f('ck_area_kind_lowercase')),
    sa.CheckConstraint('min_latitude <= max_latitude', name=op.f('ck_area_bbox_latitude')),
    sa.CheckConstraint('min_longitude <= max_longitude', name=op.f('ck_area_bbox_longitude')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_area')),
    sa.UniqueConstraint('kind', 'code', name=op.f('uq_area_kind_code'))
    )
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_area_kind'), ['kind'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.CheckConstraint("action IN ('create', 'update', 'delete', 'import')", name=op.f('ck_audit_entry_action_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry'))
    )
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_entry_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_entry_entity'), ['entity'], unique=False)

    op.create_table('geocode_cache',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('query', sa.String(length=500), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.Column('precision', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('latitude IS NULL OR latitude BETWEEN -90 AND 90', name=op.f('ck_geocode_cache_latitude_range')),
    sa.CheckConstraint('longitude IS NULL OR longitude BETWEEN -180 AND 180', name=op.f('ck_geocode_cache_longitude_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_geocode_cache')),
    sa.UniqueConstraint('provider', 'query', name=op.f('uq_geocode_cache_provider_query'))
    )
    op.create_table('location',
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=50), nullable=True),
    sa.Column('postal_code', sa.String(length=10), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('geocode_precision', sa.String(length=20), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("geocode_precision IN ('provided', 'rooftop', 'street', 'postal_code')", name=op.f('ck_location_geocode_precision_known')),
    sa.CheckConstraint('latitude BETWEEN -90 AND 90', name=op.f('ck_location_latitude_range')),
    sa.CheckConstraint('longitude BETWEEN -180 AND 180', name=op.f('ck_location_longitude_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location')),
    sa.UniqueConstraint('external_id', name=op.f('uq_location_external_id'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index('ix_location_lat_lon', ['latitude', 'longitude'], unique=False)

    op.create_table('organization',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=4000), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('doj_recognized', sa.Boolean(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('nonprofit', 'community', 'faith', 'government', 'law_enforcement', 'consulate', 'legal_services', 'other')", name=op.f('ck_organization_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organization')),
    sa.UniqueConstraint('external_id', name=op.f('uq_organization_external_id'))
    )
    op.create_table('event',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.String(length=4000), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source_url', sa.String(length=2000), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('scheduled', 'cancelled', 'postponed')", name=op.f('ck_event_status_known')),
    sa.CheckConstraint('ends_at IS NULL OR ends_at > starts_at', name=op.f('ck_event_ends_after_start')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_event_location_id_location'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_event_organization_id_organization'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event')),
    sa.UniqueConstraint('external_id', name=op.f('uq_event_external_id'))
    )
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_starts_at'), ['starts_at'], unique=False)

    op.create_table('location_area',
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['area.id'], name=op.f('fk_location_area_area_id_area'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_location_area_location_id_location'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('location_id', 'area_id', name=op.f('pk_location_area'))
    )
    with op.batch_alter_table('location_area', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_area_area_id'), ['area_id'], unique=False)

    op.create_table('resource',
    sa.Column('category', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=4000), nullable=True),
    sa.Column('services', sa.String(length=2000), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('hours', sa.String(length=500), nullable=True),
    sa.Column('fees', sa.String(length=500), nullable=True),
    sa.Column('eligibility', sa.String(length=1000), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('source_url', sa.String(length=2000), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('location_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("category IN ('meeting_venue', 'legal_aid', 'community_partner', 'consulate', 'police_station')", name=op.f('ck_resource_category_known')),
    sa.CheckConstraint("status IN ('active', 'temporarily_closed', 'inactive')", name=op.f('ck_resource_status_known')),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_resource_location_id_location'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_resource_organization_id_organization'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resource')),
    sa.UniqueConstraint('external_id', name=op.f('uq_resource_external_id'))
    )
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_organization_id'), ['organization_id'], unique=False)

    op.create_table('event_language',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.CheckConstraint('length(code) BETWEEN 2 AND 3 AND code = lower(code)', name=op.f('ck_event_language_code_iso639')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_language_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'code', name=op.f('pk_event_language'))
    )
    op.create_table('problem_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('message', sa.String(length=2000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('wrong_address', 'wrong_phone', 'wrong_hours', 'wrong_languages', 'closed', 'other')", name=op.f('ck_problem_report_kind_known')),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_problem_report_resource_id_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_report'))
    )
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_report_resource_id'), ['resource_id'], unique=False)

    op.create_table('resource_language',
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('support', sa.String(length=20), nullable=False),
    sa.CheckConstraint("support IN ('staff', 'interpreter', 'materials')", name=op.f('ck_resource_language_support_known')),
    sa.CheckConstraint('length(code) BETWEEN 2 AND 3 AND code = lower(code)', name=op.f('ck_resource_language_code_iso639')),
    sa.ForeignKeyConstraint(['resource_id'], ['resource.id'], name=op.f('fk_resource_language_resource_id_resource'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'code', name=op.f('pk_resource_language'))
    )
    with op.batch_alter_table('resource_language', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_language_code'), ['code'], unique=False)

    _create_spatial_index()


def downgrade() -> None:
    _drop_spatial_index()
    with op.batch_alter_table('resource_language', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_language_code'))

    op.drop_table('resource_language')
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_report_resource_id'))

    op.drop_table('problem_report')
    op.drop_table('event_language')
    with op.batch_alter_table('resource', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_organization_id'))
        batch_op.drop_index(batch_op.f('ix_resource_location_id'))

    op.drop_table('resource')
    with op.batch_alter_table('location_area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_area_area_id'))

    op.drop_table('location_area')
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_starts_at'))
        batch_op.drop_index(batch_op.f('ix_event_organization_id'))
        batch_op.drop_index(batch_op.f('ix_event_location_id'))

    op.drop_table('event')
    op.drop_table('organization')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index('ix_location_lat_lon')

    op.drop_table('location')
    op.drop_table('geocode_cache')
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_entry_entity'))
        batch_op.drop_index(batch_op.f('ix_audit_entry_at'))

    op.drop_table('audit_entry')
    with op.batch_alter_table('area', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_area_kind'))

    op.drop_table('area')
    with op.batch_alter_table('api_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_key_prefix'))

    op.drop_table('api_key')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP EXTENSION IF EXISTS postgis")


SQLITE_SPATIAL = [
    "CREATE VIRTUAL TABLE location_rtree USING rtree(id, min_lat, max_lat, min_lon, max_lon)",
    """CREATE TRIGGER location_rtree_insert AFTER INSERT ON location BEGIN
        INSERT INTO location_rtree VALUES
            (new.id, new.latitude, new.latitude, new.longitude, new.longitude);
    END""",
    """CREATE TRIGGER location_rtree_move AFTER UPDATE OF latitude, longitude ON location BEGIN
        UPDATE location_rtree SET min_lat = new.latitude, max_lat = new.latitude,
            min_lon = new.longitude, max_lon = new.longitude WHERE id = new.id;
    END""",
    """CREATE TRIGGER location_rtree_delete AFTER DELETE ON location BEGIN
        DELETE FROM location_rtree WHERE id = old.id;
    END""",
]

POSTGRESQL_SPATIAL = [
    """ALTER TABLE location ADD COLUMN geog geography(Point, 4326)
        GENERATED ALWAYS AS
        (ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography) STORED""",
    "CREATE INDEX ix_location_geog ON location USING gist (geog)",
]


def _create_spatial_index() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_SPATIAL if dialect == "sqlite" else POSTGRESQL_SPATIAL:
        op.execute(statement)


def _drop_spatial_index() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("location_rtree_insert", "location_rtree_move", "location_rtree_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS location_rtree")
