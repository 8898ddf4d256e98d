"""Tests of the HA-free client library (custom_components/pbx_presence/pbx)."""
