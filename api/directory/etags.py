"""Entity tags: a representation's version as a quoted hash of its bytes, and how a list of
tags from a client (``If-None-Match``, ``If-Match``) is read against one.

A tag is compared by its opaque part only (RFC 9110 weak comparison): ``W/`` is ignored.
Compression rewrites a tag with a ``-gzip``-style suffix, so each coding has its own tag for
a cache; a write's precondition names the record, whatever coding it was read in, so there
the suffix is ignored too (``any_coding``).
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["etag_for", "names_tag"]

_TAG = re.compile(r'^(?:W/)?"([^"-]+)(?:-[a-z0-9]+)?"$')


def etag_for(payload: bytes) -> str:
    """A strong entity tag for a body: a quoted hash of its bytes."""
    return f'"{hashlib.sha256(payload).hexdigest()[:32]}"'


def names_tag(tags: str, etag: str, *, any_coding: bool = False) -> bool:
    """Whether the comma-separated ``tags`` are ``*`` or name ``etag``."""
    wanted = _opaque(etag, any_coding)
    for candidate in tags.split(","):
        candidate = candidate.strip()
        if candidate == "*" or (wanted is not None and _opaque(candidate, any_coding) == wanted):
            return True
    return False


def _opaque(tag: str, any_coding: bool) -> str | None:
    tag = tag.strip()
    if not any_coding:
        return tag[2:] if tag.startswith("W/") else tag
    match = _TAG.match(tag)
    return match.group(1) if match else None
