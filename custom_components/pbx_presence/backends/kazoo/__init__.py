"""Flex UC / Kazoo: its backend, snapshot builder and stored login."""
