"""Run every benchmark module's main() (small scale unless `--scale full` is given)."""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> None:
    """Run bench/<name>.py modules that define main(), passing the command-line arguments on."""
    argv = sys.argv[1:] or ["--scale", "small"]
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if hasattr(module, "main"):
            print(f"== bench.{info.name}")
            module.main(argv)


if __name__ == "__main__":
    main()
