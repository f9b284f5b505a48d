"""Phase B, Stages 6–12: the script hub, shots, visuals and scene styles, prompts, frames,
drift, checkout, review, takes and the editor's cut."""
