"""Offline engines: storyboard panels, asset cards, animatic clips, scratch dialogue."""
