"""Two clients: one ticks in synchronous mode, the other sees every frame with wait_for_tick."""
import threading
import time

import carla
from _common import connect, emit, synchronous

ticker, args = connect()
watcher = carla.Client(args.host, args.port)
watcher.set_timeout(20.0)
world = ticker.get_world()
watched_world = watcher.get_world()
synchronous(world, True)
seen, ready = [], threading.Event()


def watch():
    ready.set()
    for _ in range(30):
        seen.append(watched_world.wait_for_tick(20.0).frame)


thread = threading.Thread(target=watch)
thread.start()
ready.wait()
ticked = []
while thread.is_alive() and len(ticked) < 200:
    ticked.append(world.tick())
    # wait_for_tick returns the next snapshot after the call, as in CARLA: give the watcher time to
    # record this frame and wait again before the next tick (the server itself never waits on it).
    while len(seen) < len(ticked) and thread.is_alive():
        thread.join(0.001)
    time.sleep(0.005)
thread.join()
synchronous(world, False)
emit({
    "watcher_frames": len(seen),
    "consecutive": all(b == a + 1 for a, b in zip(seen, seen[1:])),
    "all_ticked": set(seen) <= set(ticked),
    "same_episode": watched_world.id == world.id,
})
