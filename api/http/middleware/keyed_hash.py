"""Keyed hashes (HMAC-SHA256) that name what the app keeps in a shared store.

Response-cache keys and rate-limit counters are named by keyed hashes of the request, so
reading the store (Redis) shows neither what a resident searched for nor their address; the
cached answers themselves are sealed with a key derived from the same one
(``api.http.middleware.stores.SealedStore``). The key is never stored: it is
``PUENTE_HASH_KEY`` when set (workers then share cache entries and budgets; ``puente serve``
draws one for its workers), else drawn at random when the process starts.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field

from api.settings import Settings

__all__ = ["KeyedHash"]


@dataclass(frozen=True, kw_only=True)
class KeyedHash:
    key: bytes = field(repr=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyedHash:
        if settings.hash_key:
            return cls(key=settings.hash_key.encode())
        return cls(key=secrets.token_bytes(32))

    def digest(self, purpose: str, value: str) -> str:
        """The hash of ``value`` for one ``purpose`` (hashes for two purposes never match)."""
        return self.derive(purpose, value).hex()[:32]

    def derive(self, purpose: str, value: str = "") -> bytes:
        """32 bytes that only this key gives for ``purpose`` and ``value`` (e.g. a cipher key)."""
        message = purpose.encode() + b"\0" + value.encode()
        return hmac.new(self.key, message, hashlib.sha256).digest()
