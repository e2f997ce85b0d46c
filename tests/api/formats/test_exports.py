from __future__ import annotations

import api.formats
from api.formats import csv, geojson, hsds, ical


def test_the_formats_package_offers_one_module_per_format() -> None:
    assert api.formats.__all__ == ["csv", "geojson", "hsds", "ical"]


def test_each_format_names_its_surface() -> None:
    assert csv.__all__ == [
        "COLUMNS",
        "FULL_COLUMNS",
        "MEDIA_TYPE",
        "STAFF_COLUMNS",
        "csv_chunks",
        "escape_cell",
        "format_languages",
        "format_value",
        "resource_row",
        "staff_row",
        "unescape_cell",
    ]
    assert geojson.__all__ == [
        "MEDIA_TYPE",
        "area_feature",
        "feature_collection",
        "resource_feature",
    ]
    assert ical.__all__ == [
        "DEFAULT_DOMAIN",
        "MEDIA_TYPE",
        "UNANNOUNCED_LENGTH",
        "CalendarEvent",
        "calendar_chunks",
        "calendar_event",
        "event_uid",
        "location_text",
        "uid_domain",
    ]
    assert hsds.__all__ == [
        "CATEGORY_TAXONOMY",
        "DOJ_RECOGNIZED",
        "KIND",
        "LANGUAGE_TAXONOMY",
        "MEDIA_TYPE",
        "NAMESPACE",
        "NDJSON_MEDIA_TYPE",
        "PRECISION",
        "VERSION",
        "WITHHELD",
        "Encoder",
        "category_term",
        "hsds_id",
        "language_term",
        "record_id",
        "services_chunks",
        "taxonomies",
        "taxonomy",
    ]
    for module in (csv, geojson, ical, hsds):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)
