"""Every package and top-level module of streamsuites imports on its own, in a fresh state.

The test suite imports modules in whatever order its tests need them, which can hide an import
cycle that a user hits at once (``python -c "import streamsuites.jobs"``). So each name is
imported after forgetting every streamsuites module, in a child interpreter.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support import REPO

_CHILD = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import streamsuites

    names = [
        m.name
        for m in pkgutil.iter_modules(streamsuites.__path__, "streamsuites.")
        if m.name != "streamsuites.__main__"
    ]
    for name in names:
        for loaded in [n for n in sys.modules if n.startswith("streamsuites")]:
            del sys.modules[loaded]
        try:
            importlib.import_module(name)
        except Exception as exc:
            print(f"{name}: {exc!r}")
    print(f"imported {len(names)}")
    """
)


def test_every_package_and_module_imports_first() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD],
        capture_output=True, text=True, timeout=60, cwd=REPO, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1].startswith("imported ") and int(lines[-1].split()[1]) > 20
    assert lines[:-1] == []
