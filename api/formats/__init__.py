"""Encoders for the feeds: GeoJSON, CSV, iCalendar and HSDS, each a pure function of the public
shapes that yields chunks, shared by the API and the exports."""

from api.formats import csv, geojson, hsds, ical

__all__ = ["csv", "geojson", "hsds", "ical"]
