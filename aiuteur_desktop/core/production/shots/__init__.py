"""Stage 7: a scene cut into timed shots — timing, the shot list, its tools and the shot spec."""
