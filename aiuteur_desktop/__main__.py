"""Allows `python -m aiuteur_desktop` to behave exactly like the `aiuteur` command."""

import sys

from aiuteur_desktop.cli.main import main

sys.exit(main())
