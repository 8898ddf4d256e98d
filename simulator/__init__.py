"""A simulated PBX: Flex UC / Kazoo Crossbar v2 and iSymphony Live REST, in memory.

Used by the test suite (over real loopback HTTP), by ``python -m simulator`` for manual
runs, and by benchmarks (:meth:`Simulator.scaled`).
"""

from .demo import DEMO_CORE_SERVER_ID
from .faults import Fault, Faults
from .isymphony import STATUS_TYPES, ISymphonyState
from .kazoo import KazooState, RateLimit, credentials_hash
from .server import RecordedRequest, Simulator

__all__ = [
    "DEMO_CORE_SERVER_ID",
    "STATUS_TYPES",
    "Fault",
    "Faults",
    "ISymphonyState",
    "KazooState",
    "RateLimit",
    "RecordedRequest",
    "Simulator",
    "credentials_hash",
]
