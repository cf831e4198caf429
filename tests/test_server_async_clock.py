"""The asynchronous clock of the server loop: when it ticks and with which step."""
import pytest

from engine.server.loop import ASYNC_VARIABLE_STEP_HZ, ServerLoop, listen


class _RecordingService:
    synchronous = False

    def __init__(self, fixed_delta_seconds):
        self.fixed_delta_seconds = fixed_delta_seconds
        self.steps = []

    def tick(self, dt):
        self.steps.append(dt)


@pytest.fixture
def make_loop():
    loops = []

    def make(fixed_delta_seconds):
        loop = ServerLoop(listen("127.0.0.1", 0), listen("127.0.0.1", 0))
        loop.service = _RecordingService(fixed_delta_seconds)
        loop.reschedule()
        loops.append(loop)
        return loop

    yield make
    for loop in loops:
        loop.selector.close()
        loop.rpc_listener.close()
        loop.stream_listener.close()


def test_a_late_variable_step_tick_covers_the_delay_and_schedules_no_burst(make_loop):
    loop = make_loop(None)
    interval = 1.0 / ASYNC_VARIABLE_STEP_HZ
    due = loop._next_async_tick
    late = due + 5 * interval
    loop._async_tick_due(late)
    assert loop.service.steps[0] == pytest.approx(5 * interval, abs=1e-3)
    assert loop._next_async_tick >= late + interval


def test_an_on_time_variable_step_tick_keeps_the_cadence(make_loop):
    loop = make_loop(None)
    interval = 1.0 / ASYNC_VARIABLE_STEP_HZ
    due = loop._next_async_tick
    loop._async_tick_due(due)
    assert loop._next_async_tick == pytest.approx(due + interval)


def test_a_late_fixed_step_tick_catches_up_on_the_wall_clock(make_loop):
    loop = make_loop(0.05)
    due = loop._next_async_tick
    loop._async_tick_due(due + 0.2)
    assert loop.service.steps == [0.05]
    assert loop._next_async_tick == pytest.approx(due + 0.05)


def test_a_fixed_step_clock_far_behind_stops_catching_up(make_loop):
    loop = make_loop(0.05)
    late = loop._next_async_tick + 2.0
    loop._async_tick_due(late)
    assert loop.service.steps == [0.05]
    assert loop._next_async_tick == late


class _FailingService(_RecordingService):
    def tick(self, dt):
        super().tick(dt)
        raise OverflowError("a body far out of range")


def test_a_failing_asynchronous_tick_is_logged_once_and_the_clock_goes_on(make_loop, caplog):
    loop = make_loop(0.05)
    loop.service = _FailingService(0.05)
    due = loop._next_async_tick
    for k in range(3):
        loop._async_tick_due(due + k * 0.05)
    assert loop.service.steps == [0.05] * 3
    assert loop._next_async_tick == pytest.approx(due + 3 * 0.05)
    assert [r.getMessage() for r in caplog.records] == ["asynchronous tick failed"]
