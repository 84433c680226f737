"""python -m bench NAME [NAME...] [--option ...]: run bench/<name>.py scripts (no name: list them).

Options after the names go to each script, e.g. `python -m bench extract --pages 200`.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.py") if not p.stem.startswith("_"))


def main(argv: list[str]) -> int:
    first_option = next((i for i, arg in enumerate(argv) if arg.startswith("-")), len(argv))
    names = [n for arg in argv[:first_option] for n in arg.split()]
    options = argv[first_option:]
    if not names:
        print("benchmarks:", " ".join(available()))
        return 0
    unknown = [n for n in names if n not in available()]
    if unknown:
        print(f"no benchmark {unknown}; available: {' '.join(available())}", file=sys.stderr)
        return 2
    failed = 0
    for name in names:
        print(f"== {name}", flush=True)
        sys.argv = [str(HERE / f"{name}.py"), *options]
        try:
            runpy.run_module(f"bench.{name}", run_name="__main__")
        except SystemExit as done:  # a script's own exit code; keep running the others
            failed += bool(done.code)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
