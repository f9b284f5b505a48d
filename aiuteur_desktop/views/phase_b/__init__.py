"""Phase B stage editors (the scene-by-scene production cycle)."""
