"""The application's own ground: paths, settings, secrets, redaction, logs, resources, prompt templates, files."""
