"""The editors' export dialogs and the animatic dialog."""
