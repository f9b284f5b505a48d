"""The built app's entry point (PyInstaller's script; `aiuteur` in a source install is the
console script `aiuteur_desktop.cli.main:main`, which this ends in).

Two things only a frozen program needs, before anything else is imported:
- `multiprocessing.freeze_support()`: the offline engines draw in a spawned process, which a
  frozen build starts as this same program with multiprocessing's own arguments.
- `aiuteur -c CODE`: a built app has no Python beside it; the doctor's window probe (and the
  build's smoke test) run code in a fresh process with `sys.executable -c`, as they would with
  a Python.
"""

import multiprocessing
import sys


def main() -> int:
    multiprocessing.freeze_support()
    if len(sys.argv) >= 3 and sys.argv[1] == "-c":
        code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
        return 0
    from aiuteur_desktop.cli.main import main as aiuteur

    return aiuteur()


if __name__ == "__main__":
    sys.exit(main())
