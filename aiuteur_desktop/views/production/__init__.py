"""Phase B pages, Stages 6–12, with the canvas, the player and the Rearview Mirror."""
