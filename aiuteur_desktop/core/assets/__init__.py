"""Stage 5: the asset masters (characters, props, locations), their extraction from the script and the global library."""
