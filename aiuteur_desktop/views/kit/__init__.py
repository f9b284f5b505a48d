"""Small widgets and helpers every page uses: theme, dialogs, notifications, pictures, shortcuts."""
