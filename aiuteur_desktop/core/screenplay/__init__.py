"""The screenplay read as a script supervisor reads it: elements, headings and the Fountain, FDX, PDF and document readers."""
