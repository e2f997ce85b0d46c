"""Geography: distances and boxes, geocoding with a cache, and areas that contain points.

Modules (imported directly; this package imports none of them, so importing one part does
not pull in geopy or shapely):

- ``api.geo.distance`` — ``great_circle_km``, ``distances_from``, ``bounding_box``,
  ``BoundingBox``.
- ``api.geo.geocoding`` — ``geocode`` through the configured provider and the database cache.
- ``api.geo.areas`` — ``upsert_area``, ``areas_containing``, ``tag_location``,
  ``retag_locations``, and ``AreaLookup`` for tagging many locations at once.
"""

__all__: list[str] = []
