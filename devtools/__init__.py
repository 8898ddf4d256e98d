"""Development tools: run Home Assistant with PBX Presence against the PBX simulator.

Used by ``scripts/develop`` (:mod:`devtools.develop`) and by the end-to-end test in ``e2e/``.
"""
