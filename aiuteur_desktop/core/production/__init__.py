"""Phase B, Stages 6–12: the script hub, shots, visuals, prompts, frames, drift, checkout, review and takes."""
