"""The gunicorn worker that sends new connections to the worker holding the fewest
(travelapp/balanced_worker.py): its rule on the shared table, then on a real gunicorn."""

import http.client
import os
import signal
import time

import pytest
from django.db import connection

from tests.gunicorn_server import Gunicorn
from travelapp import balanced_worker
from travelapp.balanced_worker import SLACK, claim_slot, may_accept, publish, release_slot


@pytest.fixture
def table():
    """The module's table, emptied for the test and given back afterwards."""
    saved = bytes(balanced_worker._table)
    balanced_worker._table[:] = bytes(len(saved))
    yield
    balanced_worker._table[:] = saved


def test_a_worker_stops_taking_connections_while_another_holds_fewer_by_more_than_the_slack(table):
    first, second = claim_slot(), claim_slot()
    publish(first, 101, 10, True)
    publish(second, 102, 10 - SLACK, True)
    assert may_accept(first, 10)
    publish(second, 102, 10 - SLACK - 1, True)
    assert not may_accept(first, 10)
    assert may_accept(second, 10 - SLACK - 1)


def test_the_worker_with_the_fewest_connections_is_never_held_back(table):
    held = {claim_slot(): count for count in [7, 3, 12, 3]}
    for pid, (slot, count) in enumerate(held.items(), start=101):
        publish(slot, pid, count, True)
    assert [may_accept(slot, count) for slot, count in held.items()] == [False, True, False, True]


def test_stopping_or_full_workers_and_unstarted_or_free_slots_hold_no_one_back(table):
    me, stopping, _not_started, freed = (claim_slot() for _ in range(4))
    publish(me, 101, 20, True)
    publish(stopping, 102, 0, False)  # stopping, or at worker_connections: takes no more
    publish(freed, 104, 0, True)
    release_slot(freed)  # its worker exited: the master freed the slot
    # _not_started: claimed by the master, its worker not running yet (pid -1)
    assert may_accept(me, 20)
    assert claim_slot() == freed


def test_a_worker_that_has_not_written_for_a_while_holds_no_one_back(table):
    me, frozen = claim_slot(), claim_slot()
    publish(me, 101, 20, True)
    publish(frozen, 102, 0, True, now_ms=balanced_worker._now_ms() - balanced_worker.STALE_AFTER_MS + 500)
    assert not may_accept(me, 20)
    publish(frozen, 102, 0, True, now_ms=balanced_worker._now_ms() - balanced_worker.STALE_AFTER_MS - 1)
    assert may_accept(me, 20)


def test_a_slot_is_taken_once_and_past_the_last_slot_a_worker_gets_none(table):
    slots = [claim_slot() for _ in range(balanced_worker.SLOTS)]
    assert sorted(slots) == list(range(balanced_worker.SLOTS))
    assert claim_slot() is None


def open_connections(server: Gunicorn, count: int) -> list[http.client.HTTPConnection]:
    """count kept-open connections, all connected before any sends a request (as wrk and a
    restarted nginx do), each then answered once."""
    connections = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=10) for _ in range(count)]
    for conn in connections:
        conn.connect()
    for conn in connections:
        conn.request("GET", "/healthz", headers={"Host": "backend"})
    for conn in connections:
        response = conn.getresponse()
        response.read()
        assert response.status == 200 and not response.will_close
    return connections


def settled_split(server: Gunicorn, total: int) -> dict[int, int]:
    """The connections each worker holds, once the workers hold `total` between them."""
    deadline = time.monotonic() + 5
    while True:
        split = server.connections_by_worker()
        if sum(split.values()) == total or time.monotonic() > deadline:
            assert sum(split.values()) == total, split
            return split
        time.sleep(0.05)


def wait_until_every_worker_takes_connections(server: Gunicorn) -> None:
    """A worker takes connections once it has loaded the app; until then the others take
    them all, as they should. Probe, one connection at a time, until each has taken one."""
    untried, deadline = set(server.workers()), time.monotonic() + 20
    while untried:
        probe = open_connections(server, 1)[0]
        untried.discard(_server_pid_of(server, probe.sock.getsockname()[1]))
        probe.close()
        settled_split(server, 0)
        assert time.monotonic() < deadline, f"workers {untried} never took a connection"


@pytest.fixture
def server(tmp_path, db):
    # 2 workers as in the image, each in a slot of the master's table.
    server = Gunicorn(tmp_path / "prometheus-multiproc", connection.settings_dict["NAME"])
    try:
        wait_until_every_worker_takes_connections(server)
        yield server
    finally:
        server.stop()


def test_a_burst_of_64_kept_open_connections_is_split_evenly_between_the_workers(server):
    connections = open_connections(server, 64)
    try:
        split = settled_split(server, 64)
        assert len(split) == 2 and max(split.values()) - min(split.values()) <= 2 * SLACK + 2, split
    finally:
        for conn in connections:
            conn.close()


def test_connections_that_replace_closed_ones_go_to_the_worker_that_lost_them(server):
    connections = open_connections(server, 40)
    try:
        settled_split(server, 40)
        # Close every connection one worker holds: the other keeps its ~20.
        loser = min(server.workers())
        local_ports = {conn.sock.getsockname()[1]: conn for conn in connections}
        held_by_loser = [conn for port, conn in local_ports.items() if _server_pid_of(server, port) == loser]
        assert held_by_loser
        for conn in held_by_loser:
            conn.close()
        kept = [conn for conn in connections if conn not in held_by_loser]
        settled_split(server, len(kept))
        # Their replacements, as nginx opens them: all to the worker that lost its own.
        connections = kept + open_connections(server, len(held_by_loser))
        split = settled_split(server, 40)
        assert max(split.values()) - min(split.values()) <= 2 * SLACK + 2, split
    finally:
        for conn in connections:
            conn.close()


def test_a_worker_killed_and_replaced_leaves_no_stale_count_behind(server):
    first = min(server.workers())
    os.kill(first, signal.SIGKILL)  # holding no connection: its count was 0
    deadline = time.monotonic() + 15
    while first in server.workers() or len(server.workers()) != 2:
        assert time.monotonic() < deadline, "gunicorn did not replace the killed worker"
        time.sleep(0.1)
    wait_until_every_worker_takes_connections(server)
    settled_split(server, 0)
    # Had the master kept the dead worker's slot (0 connections, taking more), both live
    # workers would stop accepting after a connection or two and these would hang.
    connections = open_connections(server, 30)
    try:
        split = settled_split(server, 30)
        assert (
            set(split) == server.workers() and max(split.values()) - min(split.values()) <= 2 * SLACK + 2
        ), split
    finally:
        for conn in connections:
            conn.close()


def test_a_frozen_worker_holds_new_connections_back_for_seconds_at_most(server):
    frozen, other = sorted(server.workers())
    os.kill(frozen, signal.SIGSTOP)  # as a worker stuck with the GIL held would be
    try:
        started = time.monotonic()
        connections = open_connections(server, 10)
        waited = time.monotonic() - started
        try:
            assert settled_split(server, 10) == {frozen: 0, other: 10}
            assert waited < balanced_worker.STALE_AFTER_MS / 1000 + 1.5
        finally:
            for conn in connections:
                conn.close()
    finally:
        os.kill(frozen, signal.SIGCONT)


def _server_pid_of(server: Gunicorn, client_port: int) -> int | None:
    """The worker holding the server side of the connection from client_port."""
    inode = None
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        remote_port = int(fields[2].split(":")[1], 16)
        if local_port == server.port and remote_port == client_port:
            inode = fields[9]
    for pid in server.workers():
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None
