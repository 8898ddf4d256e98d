"""The keys of a config entry's data and options that backends read.

They are the integration's stored format; `const.py` gives the same names to the Home
Assistant layer (`url`, `username`, `password`, `api_key` equal Home Assistant's own).
"""

from typing import Final

SERVER_TYPE: Final = "server_type"
URL: Final = "url"
USERNAME: Final = "username"
PASSWORD: Final = "password"  # noqa: S105 - the key, not a secret
API_KEY: Final = "api_key"
ACCOUNT_NAME: Final = "account_name"
CREDENTIALS_HASH: Final = "credentials_hash"
CORE_SERVER: Final = "core_server"
WEBSOCKET_URL: Final = "websocket_url"  # an option: where Kazoo's Blackhole listens

DEFAULT_CORE_SERVER: Final = "default"
