"""GeoJSON (RFC 7946): resources as a FeatureCollection of points, areas as Features.

Positions are ``[longitude, latitude]`` in WGS 84, and there is no ``crs`` member (RFC 7946
removed it). A collection is written as a sequence of chunks, one feature each, so a feed of
the whole directory is never held as one string.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from pydantic import BaseModel

__all__ = ["MEDIA_TYPE", "area_feature", "feature_collection", "resource_feature"]

MEDIA_TYPE = "application/geo+json"


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def resource_feature(resource: BaseModel) -> dict[str, Any]:
    """A resource as a Point Feature whose properties are its public JSON fields; a
    tombstone (no location) as a Feature with a null geometry (RFC 7946, 3.2)."""
    properties = resource.model_dump(mode="json")
    location = properties.get("location")
    geometry = None
    if location is not None:
        geometry = {"type": "Point", "coordinates": [location["longitude"], location["latitude"]]}
    return {
        "type": "Feature",
        "id": properties.get("id"),
        "geometry": geometry,
        "properties": properties,
    }


def area_feature(area: BaseModel, geometry: str | dict[str, Any]) -> dict[str, Any]:
    """An area as a Feature: its stored GeoJSON geometry and its public fields."""
    shape = json.loads(geometry) if isinstance(geometry, str) else geometry
    if shape.get("type") == "Feature":
        shape = shape["geometry"]
    properties = area.model_dump(mode="json")
    return {
        "type": "Feature",
        "id": f"{properties['kind']}:{properties['code']}",
        "geometry": shape,
        "properties": properties,
    }


def feature_collection(features: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The collection as chunks: the opening, one feature per chunk, the closing."""
    yield '{"type":"FeatureCollection","features":['
    separator = "\n"
    for feature in features:
        yield separator + _dumps(feature)
        separator = ",\n"
    yield "\n]}\n"
