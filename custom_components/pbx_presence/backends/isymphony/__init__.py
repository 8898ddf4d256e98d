"""iSymphony: its backend."""
