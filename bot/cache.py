"""A bounded least-recently-used cache for finished replies (one instance per `Service`)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")
_MISSING = object()


class LRU(Generic[V]):
    """At most `maxsize` values; the least recently used one is dropped first. Not thread-safe
    (everything that uses it runs on the event loop)."""

    def __init__(self, maxsize: int) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._data: OrderedDict[Hashable, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The cached value for `key`, or `make()`'s (stored unless it raises)."""
        value = self._data.get(key, _MISSING)  # a miss is common (every new question): no exception
        if value is _MISSING:
            self.misses += 1
            value = self._data[key] = make()
            if len(self._data) > self.maxsize:
                self._data.popitem(last=False)
            return value
        self.hits += 1
        self._data.move_to_end(key)
        return value  # type: ignore[return-value]

    def clear(self) -> None:
        self._data.clear()
