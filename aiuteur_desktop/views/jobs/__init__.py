"""Work off the UI thread: the job runner, background queries, the Jobs page and dialogs, money questions."""
