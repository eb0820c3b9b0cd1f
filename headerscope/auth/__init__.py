"""One module per authentication protocol; ``headerscope.api`` runs them in order."""
