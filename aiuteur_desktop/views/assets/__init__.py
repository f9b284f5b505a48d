"""Stage 5's pages and the asset library page."""
