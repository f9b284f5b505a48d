"""The pipeline around the stages: stage pages and gates, the stage timeline, history and the vault."""
