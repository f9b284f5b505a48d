"""Out of the app: Pro Export, conform, the cut, archives and the editors' formats (OTIO, FCPXML, storyboard PDF)."""
