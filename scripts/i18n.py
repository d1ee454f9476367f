"""Translation catalogues, one per area: extract, update, compile, and list what is missing.

python scripts/i18n.py update AREA     extract AREA's strings and merge them into its .po
python scripts/i18n.py compile         compile every .po into .mo
python scripts/i18n.py missing [AREA]  list msgids without a Chinese translation (exit 1 if any)
python scripts/i18n.py fill AREA < TSV  set translations from lines "msgid<TAB>中文" (plurals too)
"""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = "zh_Hans_CN"
# Which sources feed which catalogue; `core` is everything that is not an area's own.
AREAS = {
    "core": [
        "labtrack/__init__.py",
        "labtrack/cli.py",
        "labtrack/demo.py",
        "labtrack/demo_labs.py",
        "labtrack/errors.py",
        "labtrack/forms.py",
        "labtrack/main.py",
        "labtrack/services.py",
        "labtrack/parsing.py",
        "labtrack/web.py",
        "labtrack/api/fields.py",
        "labtrack/templating.py",
        "labtrack/auth",
        "labtrack/labs",
        "labtrack/history",
        "labtrack/reports/__init__.py",
        "labtrack/reports/views.py",
        "labtrack/reports/dashboard.py",
        "labtrack/api/__init__.py",
        "labtrack/api/common.py",
        "labtrack/api/labs.py",
        "labtrack/tabular.py",
        "templates/base.html",
        "templates/_macros.html",
        "templates/errors",
        "templates/auth",
        "templates/main",
        "templates/labs",
        "templates/reports/index.html",
        "templates/history",
        "templates/admin",
    ],
    "reports": ["labtrack/reports/campaign.py", "labtrack/api/reports.py", "templates/reports/campaign.html"],
    "scope": ["labtrack/scope", "labtrack/api/scope.py", "templates/scope"],
    "audits": ["labtrack/audits", "labtrack/api/audits.py", "templates/audits"],
    "proficiency": ["labtrack/proficiency", "labtrack/api/rounds.py", "templates/proficiency"],
    # The areas added later, each with its own catalogue.
    "notify": [
        "labtrack/notify",
        "labtrack/jobs",
        "labtrack/api/notifications.py",
        "labtrack/api/jobs.py",
        "templates/notify",
        "templates/jobs",
    ],
    "personnel": ["labtrack/personnel", "labtrack/api/personnel.py", "templates/personnel"],
    "planning": [
        "labtrack/planning",
        "labtrack/public",
        "labtrack/api/planning.py",
        "templates/planning",
        "templates/public",
    ],
    "applications": ["labtrack/applications", "labtrack/api/applications.py", "templates/applications"],
    "records": ["labtrack/records", "labtrack/api/records.py", "templates/records"],
}


def catalogue_dir(area: str) -> Path:
    """Where an area's catalogue lives (core: translations/, others: translations/AREA/)."""
    return ROOT / "translations" if area == "core" else ROOT / "translations" / area


def directories() -> str:
    """BABEL_TRANSLATION_DIRECTORIES for every area, core first."""
    return ";".join(str(catalogue_dir(a)) for a in AREAS)


def extract(area: str, pot: Path) -> None:
    """Write the area's message template."""
    sources = [s for s in AREAS[area] if (ROOT / s).exists()]
    if not sources:  # an area not built yet: an empty template
        pot.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
        return
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "_n:1,2",
            "--no-location",
            "--sort-output",
            "-o",
            str(pot),
            *sources,
        ],
        cwd=ROOT,
        check=True,
    )


def update(area: str) -> None:
    """Extract and merge into the area's .po, creating it on first use."""
    directory = catalogue_dir(area)
    directory.mkdir(parents=True, exist_ok=True)
    pot = directory / "messages.pot"
    extract(area, pot)
    po = directory / LOCALE / "LC_MESSAGES" / "messages.po"
    command = "update" if po.exists() else "init"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            command,
            "-i",
            str(pot),
            "-d",
            str(directory),
            "-l",
            LOCALE,
            *(["--no-fuzzy-matching"] if command == "update" else []),
        ],
        cwd=ROOT,
        check=True,
    )
    pot.unlink()


def compile_all() -> None:
    """Compile every area's .po into .mo."""
    for area in AREAS:
        directory = catalogue_dir(area)
        if (directory / LOCALE).exists():
            subprocess.run(
                [sys.executable, "-m", "babel.messages.frontend", "-q", "compile", "-d", str(directory)],
                cwd=ROOT,
                check=True,
            )


def translations() -> dict[str, str]:
    """Every translated msgid across the catalogues."""
    done: dict[str, str] = {}
    for area in AREAS:
        po = catalogue_dir(area) / LOCALE / "LC_MESSAGES" / "messages.po"
        if po.exists():
            with po.open("rb") as f:
                for m in read_po(f):
                    strings = [m.string] if isinstance(m.string, str) else list(m.string or ())
                    if m.id and strings and all(strings) and not m.fuzzy:
                        key = m.id if isinstance(m.id, str) else m.id[0]
                        done[key] = strings[0]
    return done


def missing(area: str, tmp: Path) -> list[str]:
    """msgids used in the area's sources that no catalogue translates."""
    pot = tmp / f"{area}.pot"
    extract(area, pot)
    with pot.open("rb") as f:
        ids = [m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id]
    done = translations()
    return [i for i in ids if i not in done]


def fill(area: str, lines: list[str]) -> int:
    """Set the area's translations from "msgid<TAB>translation" lines; returns how many were set."""
    from babel.messages.pofile import write_po

    wanted = {}
    for line in lines:
        if "\t" in line.rstrip("\n"):
            msgid, string = line.rstrip("\n").split("\t", 1)
            wanted[msgid.replace("\\n", "\n")] = string.replace("\\n", "\n")
    po = catalogue_dir(area) / LOCALE / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    done = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else (message.id[0] if message.id else None)
        if key in wanted:
            message.string = wanted[key] if isinstance(message.id, str) else (wanted[key],) * 2
            message.flags.discard("fuzzy")
            done += 1
    with po.open("wb") as f:
        write_po(f, catalog, width=0, sort_output=True, omit_header=False)
    return done


def main(argv: list[str]) -> int:
    """Command-line entry."""
    import tempfile

    if not argv:
        print(__doc__)
        return 2
    if argv[0] == "update":
        for area in argv[1:] or AREAS:
            update(area)
    elif argv[0] == "fill":
        print(f"{fill(argv[1], sys.stdin.readlines())} translations set")
    elif argv[0] == "compile":
        compile_all()
    elif argv[0] == "missing":
        with tempfile.TemporaryDirectory() as tmp:
            gaps = {a: missing(a, Path(tmp)) for a in (argv[1:] or AREAS)}
        for area, ids in gaps.items():
            for i in ids:
                print(f"{area}: {i}")
        return 1 if any(gaps.values()) else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
