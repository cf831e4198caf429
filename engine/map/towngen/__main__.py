"""Write assets/maps/<Town>.xodr for every town (or the towns named on the command line)."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import TOWNS

DEFAULT_OUT = Path(__file__).resolve().parents[3] / "assets" / "maps"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m engine.map.towngen", description=__doc__)
    parser.add_argument("towns", nargs="*", help=f"towns to write (default: all of {', '.join(TOWNS)})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: assets/maps)")
    args = parser.parse_args(argv)
    unknown = [name for name in args.towns if name not in TOWNS]
    if unknown:
        parser.error(f"unknown towns {', '.join(unknown)}; known: {', '.join(TOWNS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.towns or list(TOWNS):
        path = args.out / f"{name}.xodr"
        path.write_text(TOWNS[name](), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
