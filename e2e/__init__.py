"""End-to-end test: a real Home Assistant process and Chromium (run by scripts/test)."""
