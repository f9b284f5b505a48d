"""The `aiuteur` command: one module per family of subcommands, their shared helpers in `common`."""
