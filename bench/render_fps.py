"""Frames per second of render + readback for one RGB camera, offscreen, at Low and Epic.

The scene is a ground plane, a road, a row of buildings and N instanced box cars (default 300).
Each frame moves the camera a little (so shadows are redrawn). "sync" waits for each image before
the next frame (synchronous mode); "async" polls without waiting and drains at the end, so
readback overlaps the next frames (asynchronous mode; the same as sync with a ring length of 1).

usage: .venv/bin/python bench/render_fps.py [--boxes 300] [--frames 60] [--width 800] [--height 600]
                                             [--quality Low,Epic] [--mode sync,async] [--ring-length K]
                                             [--out FILE]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.render.context import create_context  # noqa: E402
from engine.render.quality import preset_by_name  # noqa: E402
from engine.render.renderer import Renderer  # noqa: E402
from engine.render.scene_data import CameraRequest  # noqa: E402
from engine.render.synthetic import box_field  # noqa: E402
from engine.world.weather import CLEAR_NOON  # noqa: E402

WARMUP_FRAMES = 5


def measure(context, quality_name: str, mode: str, boxes: int, frames: int, width: int, height: int,
            ring_length: int | None) -> dict:
    static, models, instances = box_field(boxes)
    renderer = Renderer(context, preset_by_name(quality_name), ring_length=ring_length)
    try:
        renderer.set_static_scene(static)
        renderer.set_models(models)
        received = 0
        start = 0.0
        for frame in range(WARMUP_FRAMES + frames):
            if frame == WARMUP_FRAMES:
                received += len(renderer.poll(wait=True))
                start = time.perf_counter()
            request = CameraRequest("rgb", width, height, 90.0, (-60.0 + 0.1 * frame, 0.5, 2.0), (-3.0, 0.0, 0.0))
            renderer.render([request], instances, CLEAR_NOON, frame)
            images = renderer.poll(wait=(mode == "sync"))
            if any(len(data) != width * height * 4 for _, data in images):
                raise RuntimeError("render returned an image of the wrong size")
            received += len(images)
        received += len(renderer.poll(wait=True))
        elapsed = time.perf_counter() - start
        if received != WARMUP_FRAMES + frames:
            raise RuntimeError(f"expected {WARMUP_FRAMES + frames} images, got {received}")
        return {"quality": quality_name, "mode": mode, "boxes": boxes, "frames": frames, "width": width,
                "height": height, "fps": frames / elapsed, "ms_per_frame": 1000.0 * elapsed / frames,
                "ring_length": renderer.readback.ring_length}
    finally:
        renderer.release()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boxes", type=int, default=300)
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--width", type=int, default=800)
    parser.add_argument("--height", type=int, default=600)
    parser.add_argument("--quality", default="Low,Epic")
    parser.add_argument("--mode", default="sync,async")
    parser.add_argument("--ring-length", type=int, default=None)
    parser.add_argument("--device-index", type=int, default=None)
    parser.add_argument("--out", default=None, help="write the results as JSON to this file")
    args = parser.parse_args(argv)
    context = create_context("offscreen", device_index=args.device_index)
    try:
        info = context.ctx.info
        results = {"gl_renderer": info["GL_RENDERER"], "gl_version": info["GL_VERSION"], "runs": []}
        for name in args.quality.split(","):
            for mode in args.mode.split(","):
                run = measure(context, name, mode, args.boxes, args.frames, args.width, args.height,
                              args.ring_length)
                results["runs"].append(run)
                print(f"{name:5s} {mode:5s} {args.width}x{args.height} rgb, {args.boxes} boxes: "
                      f"{run['fps']:8.1f} frames/s ({run['ms_per_frame']:.2f} ms, ring {run['ring_length']})  "
                      f"[{info['GL_RENDERER']}]", flush=True)
    finally:
        context.release()
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
