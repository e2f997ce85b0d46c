"""Encoders for the feeds: GeoJSON, CSV and iCalendar, each a pure function of the public
shapes that yields chunks, shared by the API and the exports."""

from api.formats import csv, geojson, ical

__all__ = ["csv", "geojson", "ical"]
