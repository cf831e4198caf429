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
# apply_settings ticks (twice, in both clients, as CARLA's World::ApplySettings does) until snapshots show
# the new delta: the last frame the ticker holds afterwards is where this script's own ticks begin.
settled = world.get_snapshot().frame
seen = []


def watch():
    while len(seen) < 30:
        waiting.set()
        frame = watched_world.wait_for_tick(20.0).frame
        # States from before this script's ticks may still be on their way to the watcher.
        if frame > settled:
            seen.append(frame)


waiting = threading.Event()
thread = threading.Thread(target=watch)
thread.start()
ticked = []
while thread.is_alive() and len(ticked) < 200:
    # wait_for_tick returns the next snapshot after the call, as in CARLA: tick only once the watcher is
    # about to wait again, and give it a moment to get there (the server itself never waits on it).
    while not waiting.wait(0.01) and thread.is_alive():
        pass
    waiting.clear()
    time.sleep(0.02)
    ticked.append(world.tick())
    while len(seen) < len(ticked) and thread.is_alive():
        thread.join(0.001)
thread.join()
synchronous(world, False)
emit({
    "watcher_frames": len(seen),
    "consecutive": all(b == a + 1 for a, b in zip(seen, seen[1:])),
    "all_ticked": set(seen) <= set(ticked),
    "same_episode": watched_world.id == world.id,
})
