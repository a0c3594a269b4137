"""gunicorn's gthread worker, taking new connections only while it holds no more than its share.

nginx keeps its connections to gunicorn open and sends each client's next request on the one
it just used, so a worker serves the requests of the connections it accepted. Which worker
accepts a new connection is a race the kernel does not weigh by load, and with connections
replaced now and then (nginx's keepalive_requests) the split drifts like a random walk: 52 of
64 on one worker and 12 on the other was measured under the benchmark. Both workers get the
same CPU, so requests queued behind 52 connections wait four times as long as the others: the
list's p99 through nginx at 64 connections was 110-122 ms with plain gthread workers and 74-96
ms with these, in the same six benchmark runs (docs/benchmarks.md).

So every worker publishes its open connections in a table shared by the master and all its
workers, and stops watching the listening socket while another worker that takes connections
holds fewer than it by more than SLACK. A new connection then goes to a worker with the fewest.
The one with the fewest never stops itself, and a worker that has stopped re-reads the table
every GATED_POLL seconds, so some worker is always accepting. Left out of the others' reckoning:
a worker that is stopping or at worker_connections, and one whose entry is older than
STALE_AFTER_MS (frozen, or killed and not yet reaped: its count must not hold the others back).
"""

import mmap
import time

from gunicorn.workers.gthread import ThreadWorker

SLOTS = 64  # workers alive at once, a reload's new ones included; past that a worker runs unbalanced
SLACK = 1  # connections more than the fewest that a worker may hold and still accept
GATED_POLL = 0.01  # seconds between two reads of the table while not accepting
# A worker's loop writes its entry at least every second (gthread polls with a 1 s timeout).
STALE_AFTER_MS = 2000

# Per slot: pid (0 free, -1 reserved by the master until the worker runs), open connections,
# 1 while the worker takes new ones, and when it last wrote (time.monotonic(), which every
# process on the machine shares, in ms). Cell 0: how many slots have ever been used, so a read
# looks at 2 or 3 slots, not 64. Anonymous and MAP_SHARED: made when the master imports this
# module (it resolves worker_class), inherited by every worker it forks.
_FIELDS = 4
_table = mmap.mmap(-1, 8 * (1 + SLOTS * _FIELDS))
_cells = memoryview(_table).cast("q")


def _now_ms() -> int:
    return int(time.monotonic() * 1000)


def _base(slot: int) -> int:
    return 1 + slot * _FIELDS


def claim_slot() -> int | None:
    """In the master, which forks one worker at a time: a free slot, reserved, or None."""
    for slot in range(SLOTS):
        if _cells[_base(slot)] == 0:
            _cells[_base(slot)] = -1
            _cells[0] = max(_cells[0], slot + 1)
            return slot
    return None


def release_slot(slot: int | None) -> None:
    """In the master, once the slot's worker has exited, however it ended."""
    if slot is not None:
        _cells[_base(slot) : _base(slot) + _FIELDS] = memoryview(bytes(8 * _FIELDS)).cast("q")


def publish(slot: int, pid: int, connections: int, taking_more: bool, now_ms: int | None = None) -> None:
    base = _base(slot)
    _cells[base + 1] = connections
    _cells[base + 2] = int(taking_more)
    _cells[base + 3] = _now_ms() if now_ms is None else now_ms
    _cells[base] = pid


def may_accept(slot: int, connections: int) -> bool:
    """Whether a worker holding `connections` may take one more: no other live worker that
    takes connections holds fewer than connections - SLACK."""
    fewest, recent = None, _now_ms() - STALE_AFTER_MS
    for other in range(_cells[0]):
        base = _base(other)
        if other != slot and _cells[base] > 0 and _cells[base + 2] and _cells[base + 3] >= recent:
            if fewest is None or _cells[base + 1] < fewest:
                fewest = _cells[base + 1]
    return fewest is None or connections <= fewest + SLACK


class BalancedThreadWorker(ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot = claim_slot()  # in the master, before the fork
        self.gated = False

    # ThreadWorker stores worker_connections in __init__ and, before every poll, watches the
    # listening socket only while nr_conns < worker_connections: the place for the gate.
    @property
    def worker_connections(self) -> int:
        if self.slot is None:
            return self._limit
        held = self.nr_conns
        taking_more = self.alive and held < self._limit
        publish(self.slot, self.pid, held, taking_more)
        self.gated = taking_more and not may_accept(self.slot, held)
        return 0 if self.gated else self._limit

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._limit = value

    def init_process(self):
        if self.slot is None:
            self.log.warning("more than %d workers alive: this one takes connections unbalanced", SLOTS)
        else:
            publish(self.slot, self.pid, 0, False)
        super().init_process()

    def set_accept_enabled(self, enabled):
        super().set_accept_enabled(enabled)
        if self.slot is not None and not self.alive:  # stopping: out of the others' reckoning
            publish(self.slot, self.pid, self.nr_conns, False)

    def wait_for_and_dispatch_events(self, timeout):
        # Not accepting, this worker would otherwise only look again at its next event or
        # after a second, while the others may have stopped too on its old count.
        super().wait_for_and_dispatch_events(min(timeout, GATED_POLL) if self.gated else timeout)
