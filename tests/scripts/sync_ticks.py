"""Synchronous mode as the docs show it: 100 world.tick() calls, each returning the next frame."""
from _common import connect, emit, synchronous

client, _ = connect()
world = client.get_world()
synchronous(world, True)
frames = [world.tick() for _ in range(100)]
snapshot = world.get_snapshot()
synchronous(world, False)
emit({
    "ticks": len(frames),
    "each_next_frame": all(b == a + 1 for a, b in zip(frames, frames[1:])),
    "snapshot_is_last_tick": snapshot.frame == frames[-1],
    "delta_seconds": round(snapshot.timestamp.delta_seconds, 6),
    "settings": [world.get_settings().synchronous_mode, world.get_settings().fixed_delta_seconds],
})
