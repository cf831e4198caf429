"""Asynchronous mode: wait_for_tick() and on_tick deliver consecutive snapshots."""
import threading

from _common import connect, emit, synchronous

client, _ = connect()
world = client.get_world()
synchronous(world, False)
waited = [world.wait_for_tick(10.0).frame for _ in range(10)]
seen, done = [], threading.Event()


def on_tick(snapshot):
    seen.append(snapshot.frame)
    if len(seen) >= 10:
        done.set()


callback = world.on_tick(on_tick)
done.wait(20.0)
world.remove_on_tick(callback)
head = seen[:10]
emit({
    "wait_for_tick_consecutive": all(b == a + 1 for a, b in zip(waited, waited[1:])),
    "on_tick_count": len(head),
    "on_tick_consecutive": all(b == a + 1 for a, b in zip(head, head[1:])),
    "sync": world.get_settings().synchronous_mode,
})
