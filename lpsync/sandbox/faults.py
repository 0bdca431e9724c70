"""Fault injection and the request log of the stand-in (both thread-safe)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple


class RequestRecord(NamedTuple):
    """One request the stand-in received. ``status`` is 0 when no response was sent
    (a ``hang`` or ``drop`` fault)."""

    method: str
    path: str  # e.g. "/devel/oslo" (no query)
    query: str  # raw query string, "" if none
    accept: str
    status: int
    body: str = ""  # what a write (PATCH) sent; the Authorization header is never kept


@dataclass
class Fault:
    """What to do to requests whose ``path?query`` matches ``pattern`` (``re.search``).

    ``latency`` is applied first; then at most one of ``hang``, ``drop``, ``malformed``,
    ``body``, ``status`` or ``trickle`` (checked in that order). ``body`` is answered as
    200 with ``content_type``: well-formed JSON of the wrong shape, say, or the HTML page
    a web server answers where no web service is. ``trickle`` sends the real answer's
    headers at once, then its body one byte every ``trickle`` seconds. ``times``
    limits how many requests it hits.
    """

    pattern: re.Pattern[str]
    latency: float = 0.0
    status: int | None = None
    hang: bool = False
    drop: bool = False
    malformed: bool = False
    body: bytes | None = None
    times: int | None = None
    trickle: float = 0.0
    content_type: str = "application/json"


class FaultSet:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, target: str) -> Fault | None:
        """The first live fault matching ``target``; uses up one of its ``times``."""
        with self._lock:
            for fault in self._faults:
                if fault.times is not None and fault.times <= 0:
                    continue
                if fault.pattern.search(target):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None


class RequestLog:
    """The requests received, in order; ``on_record`` also sees each one as it comes
    (``lpsync sandbox --log`` writes them out)."""

    def __init__(self, on_record: Callable[[RequestRecord], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []
        self._on_record = on_record

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)
        if self._on_record is not None:
            self._on_record(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
