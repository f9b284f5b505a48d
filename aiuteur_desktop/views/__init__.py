"""Qt layer: widgets, dialogs, item models and the job-runner adapter. Imports core and providers."""
