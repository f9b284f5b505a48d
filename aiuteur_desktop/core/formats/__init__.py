"""Interchange formats as adapters with plain read/write functions (OTIO style)."""
