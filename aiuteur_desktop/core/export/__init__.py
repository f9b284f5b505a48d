"""Out of the app: Pro Export, conform, archives and the editors' formats (OTIO, FCPXML,
storyboard PDF)."""
