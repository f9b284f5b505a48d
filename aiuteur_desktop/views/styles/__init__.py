"""The Written and Visual Styles pages."""
