"""Phase A pages, Stages 1–4: setup, treatment, beats, the screenplay editor and staging."""
