"""Print test code against app code: Python lines under tests/ and labtrack/, and their ratio.

Counted: lines that hold code or a docstring. Not counted: blank lines and lines that are only a
comment. Physical lines (everything) are shown beside them.

    .venv/bin/python scripts/test_ratio.py [--tracked]

--tracked counts only the files git tracks (what is committed or staged), not work in progress.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def python_files(folder: Path, tracked: bool) -> list[Path]:
    """The Python files under `folder` (only git's, if `tracked`)."""
    if tracked:
        out = subprocess.run(
            ["git", "ls-files", "--", f"{folder.name}/*.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return [ROOT / name for name in out.split()]
    return [p for p in sorted(folder.rglob("*.py")) if "__pycache__" not in p.parts]


def count(folder: Path, tracked: bool = False) -> tuple[int, int, int]:
    """(files, lines of code, physical lines) of the Python files under `folder`."""
    files = code = physical = 0
    for path in python_files(folder, tracked):
        files += 1
        for line in path.read_text(encoding="utf-8").splitlines():
            physical += 1
            stripped = line.strip()
            if stripped and not stripped.startswith("#"):
                code += 1
    return files, code, physical


def main() -> int:
    """Print the table and the ratios."""
    tracked = "--tracked" in sys.argv[1:]
    app = count(ROOT / "labtrack", tracked)
    tests = count(ROOT / "tests", tracked)
    print(f"{'':10} {'files':>6} {'code lines':>11} {'all lines':>10}")
    print(f"{'labtrack/':10} {app[0]:6} {app[1]:11} {app[2]:10}")
    print(f"{'tests/':10} {tests[0]:6} {tests[1]:11} {tests[2]:10}")
    print(f"test:code = {tests[1] / app[1]:.2f} (code lines: no blank or comment-only lines)")
    print(f"test:code = {tests[2] / app[2]:.2f} (all lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
