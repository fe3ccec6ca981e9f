"""A bounded, value-free cache of detection results.

Every request of a chat carries the whole conversation, so without a cache turn N re-analyses N-1 messages it
has already seen. The cache is keyed by a digest of (policy, language, text) and holds only entity offsets, so
it never stores personal data: the text itself is neither kept nor recoverable from the key.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from maskgate.entities import Entity


def cache_key(policy_fingerprint: str, language: str, text: str) -> bytes:
    digest = hashlib.blake2b(digest_size=20)
    for part in (policy_fingerprint, language, text):
        encoded = part.encode("utf-8", "surrogatepass")
        digest.update(len(encoded).to_bytes(8, "big"))  # length prefix: no two tuples share a byte stream
        digest.update(encoded)
    return digest.digest()


class SpanCache:
    """Least-recently-used map from ``cache_key`` to the entities found; safe to share between threads."""

    def __init__(self, max_entries: int = 4096) -> None:
        if max_entries < 0:
            raise ValueError("max_entries must be >= 0")
        self.max_entries = max_entries
        self._entries: OrderedDict[bytes, tuple[Entity, ...]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._per_thread = threading.local()

    def get(self, key: bytes) -> tuple[Entity, ...] | None:
        with self._lock:
            entities = self._entries.get(key)
            if entities is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        self._per_thread.hits = self.thread_hits() + 1
        return entities

    def thread_hits(self) -> int:
        """Hits made by the calling thread: a request's own count, unmixed with concurrent requests'."""
        return getattr(self._per_thread, "hits", 0)

    def put(self, key: bytes, entities: tuple[Entity, ...]) -> None:
        if self.max_entries == 0:
            return
        with self._lock:
            self._entries[key] = entities
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def __contains__(self, key: bytes) -> bool:
        """Presence only: neither a hit nor a miss, and the entry's age is unchanged."""
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)
