"""A fake geocoding service on 127.0.0.1 for tests, scriptable per query.

It speaks Nominatim's ``/search`` (``format=json`` and ``jsonv2``), Photon's ``/api``,
Pelias's ``/v1/search`` and ArcGIS's ``findAddressCandidates``, so geopy's real clients can
be pointed at it through the settings::

    with FakeNominatim() as fake:
        fake.answer("1400 s lamar st dallas tx", 32.76, -96.79, addresstype="building")
        settings = replace(settings, geocoder="nominatim", geocoder_domain=fake.domain,
                           geocoder_scheme="http", geocoder_user_agent="puente-tests")

Queries are matched after ``normalize_query`` (case, punctuation and spacing ignored).
Unscripted queries get no match. Every request is recorded with its arrival time.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from api.geo.geocoding import normalize_query

__all__ = ["FakeNominatim", "Reply", "Request"]


@dataclass(frozen=True)
class Request:
    path: str
    query: str
    """The ``q`` (Nominatim, Photon), ``text`` (Pelias) or ``singleLine`` (ArcGIS) parameter."""
    params: dict[str, list[str]]
    headers: dict[str, str]
    at: float
    """``time.monotonic()`` when the request arrived."""


@dataclass
class Reply:
    status: int = 200
    places: list[dict[str, Any]] = field(default_factory=list)
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FakeNominatim:
    def __init__(self) -> None:
        self._replies: dict[str, Reply] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- scripting ---------------------------------------------------------------------

    def answer(
        self,
        query: str,
        latitude: float,
        longitude: float,
        *,
        addresstype: str = "building",
        osm_class: str = "building",
        osm_type: str = "yes",
        delay_s: float = 0.0,
    ) -> None:
        """Answer ``query`` with one place of the given Nominatim address type."""
        place = {
            "lat": f"{latitude:.7f}",
            "lon": f"{longitude:.7f}",
            "display_name": query,
            "addresstype": addresstype,
            "class": osm_class,
            "type": osm_type,
        }
        self._script(query, Reply(places=[place], delay_s=delay_s))

    def no_match(self, query: str) -> None:
        self._script(query, Reply())

    def fail(self, query: str, status: int, *, retry_after: int | None = None) -> None:
        """Answer ``query`` with an HTTP error such as 429 or 500."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self._script(query, Reply(status=status, headers=headers))

    def slow(self, query: str, delay_s: float) -> None:
        """Answer ``query`` with no match, but only after ``delay_s`` seconds."""
        self._script(query, Reply(delay_s=delay_s))

    def _script(self, query: str, reply: Reply) -> None:
        with self._lock:
            self._replies[normalize_query(query)] = reply

    # -- what happened -----------------------------------------------------------------

    @property
    def domain(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def queries(self) -> list[str]:
        with self._lock:
            return [request.query for request in self.requests]

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeNominatim:
        self._thread.start()
        return self

    def close(self) -> None:
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeNominatim:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- HTTP --------------------------------------------------------------------------

    def _reply_to(self, path: str, params: dict[str, list[str]]) -> tuple[Reply, str]:
        query = (params.get("q") or params.get("text") or params.get("singleLine") or [""])[0]
        with self._lock:
            reply = self._replies.get(normalize_query(query), Reply())
        return reply, query

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                params = parse_qs(parts.query)
                reply, query = fake._reply_to(parts.path, params)
                with fake._lock:
                    fake.requests.append(
                        Request(
                            path=parts.path,
                            query=query,
                            params=params,
                            headers=dict(self.headers.items()),
                            at=time.monotonic(),
                        )
                    )
                if reply.delay_s and fake._closing.wait(reply.delay_s):
                    return
                body = _body(parts.path, params, reply)
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as a timing-out client does

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the request line carries the address: keep it out of test output

        return Handler


def _body(path: str, params: dict[str, list[str]], reply: Reply) -> bytes:
    if reply.status != 200:
        return json.dumps({"error": {"code": reply.status, "message": "scripted"}}).encode()
    if path.rstrip("/") in ("/api", "/v1/search"):
        return json.dumps(_geojson(reply.places)).encode()
    if path.endswith("/findAddressCandidates"):
        return json.dumps(_arcgis(reply.places)).encode()
    fmt = (params.get("format") or ["xml"])[0]
    places = [dict(place) for place in reply.places]
    if fmt == "jsonv2":
        for place in places:
            place["category"] = place.pop("class")
    return json.dumps(places).encode()


_ARCGIS_TYPES = {
    "house": "PointAddress",
    "building": "PointAddress",
    "road": "StreetName",
    "street": "StreetName",
    "postcode": "Postal",
    "postalcode": "Postal",
}


def _arcgis(places: list[dict[str, Any]]) -> dict[str, Any]:
    """ArcGIS's answer: candidates with x/y and the Addr_type asked for in outFields."""
    candidates = [
        {
            "address": place["display_name"],
            "location": {"x": float(place["lon"]), "y": float(place["lat"])},
            "score": 100,
            "attributes": {"Addr_type": _ARCGIS_TYPES.get(place["addresstype"], "Locality")},
        }
        for place in places
    ]
    return {"spatialReference": {"wkid": 4326}, "candidates": candidates}


def _geojson(places: list[dict[str, Any]]) -> dict[str, Any]:
    """Photon's and Pelias's answer: a FeatureCollection, longitude first."""
    features = []
    for place in places:
        house = place["addresstype"] in ("house", "building")
        properties = {
            "name": place["display_name"],
            "label": place["display_name"],
            "type": "house" if house else place["addresstype"],
            "layer": "address" if house else place["addresstype"],
            "osm_key": place["class"],
            "osm_value": place["type"],
        }
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(place["lon"]), float(place["lat"])],
                },
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}
