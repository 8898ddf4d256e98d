"""Config flow for PBX Presence: a Flex UC / Kazoo account or an iSymphony core server.

Every path tests the input against the server before it creates or changes an entry.
A Kazoo user login is stored as the md5 hash of "username:password", never the password.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from contextlib import suppress
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.const import (
    CONF_API_KEY,
    CONF_PASSWORD,
    CONF_URL,
    CONF_USERNAME,
    CONF_VERIFY_SSL,
)
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol
from yarl import URL

from .backends import PbxBackend, backend_class, create_backend
from .const import (
    CONF_ACCOUNT_NAME,
    CONF_CORE_SERVER,
    CONF_CREDENTIALS_HASH,
    CONF_IMPORT,
    CONF_SERVER_TYPE,
    CONF_WEBSOCKET_URL,
    DEFAULT_CORE_SERVER,
    DOMAIN,
    LOGGER,
    ServerType,
)
from .errors import UNKNOWN, error_key
from .flow_input import (
    InputError,
    isymphony_login,
    kazoo_login,
    server_url,
    shown_url,
    text_input,
    websocket_url,
)
from .options_flow import PbxOptionsFlow
from .pbx import PbxError

DEFAULT_ISYMPHONY_USERNAME = "manager"
# Never shown again in a form, not even after an error.
SECRETS = (CONF_PASSWORD, CONF_API_KEY)
KAZOO_LOGIN_KEYS = (CONF_USERNAME, CONF_CREDENTIALS_HASH, CONF_ACCOUNT_NAME, CONF_API_KEY)
# Example addresses for the forms; hassfest wants URLs in placeholders, not in translations.
KAZOO_EXAMPLE_URL = "https://pbx.example.com:8443"
ISYMPHONY_EXAMPLE_URL = "http://pbx.example.com:58080"
ISYMPHONY_EXAMPLE_SSL_URL = "https://pbx.example.com:55050"

_URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL, autocomplete="url"))
_TEXT = TextSelector()
_USERNAME = TextSelector(TextSelectorConfig(autocomplete="username"))
_PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="current-password")
)
_API_KEY = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off"))

FLEX_UC_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): _URL,
        vol.Optional(CONF_USERNAME): _USERNAME,
        vol.Optional(CONF_PASSWORD): _PASSWORD,
        vol.Optional(CONF_ACCOUNT_NAME): _TEXT,
        vol.Optional(CONF_API_KEY): _API_KEY,
        vol.Required(CONF_VERIFY_SSL, default=True): bool,
    }
)
ISYMPHONY_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): _URL,
        vol.Required(CONF_USERNAME, default=DEFAULT_ISYMPHONY_USERNAME): _USERNAME,
        vol.Required(CONF_PASSWORD): _PASSWORD,
        vol.Required(CONF_CORE_SERVER, default=DEFAULT_CORE_SERVER): _TEXT,
        vol.Required(CONF_VERIFY_SSL, default=True): bool,
    }
)
# Reauth asks only for what the entry logs in with.
REAUTH_USER_SCHEMA = vol.Schema(
    {vol.Required(CONF_USERNAME): _USERNAME, vol.Required(CONF_PASSWORD): _PASSWORD}
)
REAUTH_API_KEY_SCHEMA = vol.Schema({vol.Required(CONF_API_KEY): _API_KEY})
# Reconfigure: an empty password (or API key) keeps the stored one, for the same URL and user.
RECONFIGURE_FLEX_UC_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): _URL,
        vol.Required(CONF_VERIFY_SSL): bool,
        vol.Optional(CONF_USERNAME): _USERNAME,
        vol.Optional(CONF_PASSWORD): _PASSWORD,
        vol.Optional(CONF_ACCOUNT_NAME): _TEXT,
        vol.Optional(CONF_API_KEY): _API_KEY,
        # A connection setting too: where the event websocket is, if not where expected.
        vol.Optional(CONF_WEBSOCKET_URL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.URL)
        ),
    }
)
# The core server is the entry's identity, so it is not offered for change.
RECONFIGURE_ISYMPHONY_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): _URL,
        vol.Required(CONF_VERIFY_SSL): bool,
        vol.Required(CONF_USERNAME): _USERNAME,
        vol.Optional(CONF_PASSWORD): _PASSWORD,
    }
)


def _suggested(values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Values to show again in a form: anything but passwords, API keys and URL credentials."""
    suggested = {key: value for key, value in (values or {}).items() if key not in SECRETS}
    if isinstance(url := suggested.get(CONF_URL), str):
        with suppress(ValueError):  # not a URL: nothing to hide in it
            suggested[CONF_URL] = str(URL(url).with_user(None))
    return suggested


class PbxPresenceConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up a Flex UC / Kazoo account or an iSymphony core server."""

    VERSION = 1
    # 1.2: the stored URL never holds credentials; 1.3: the websocket URL is entry data, not
    # an option (see __init__.async_migrate_entry).
    MINOR_VERSION = 3

    async def async_step_user(
        self,
        user_input: dict[str, Any] | None = None,  # noqa: ARG002 - a menu has no input
    ) -> ConfigFlowResult:
        """Ask which kind of server to add."""
        return self.async_show_menu(
            step_id="user", menu_options=[ServerType.FLEX_UC, ServerType.ISYMPHONY]
        )

    async def async_step_flex_uc(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a Flex UC / Kazoo account, with a user login or an API key."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = {
                    CONF_SERVER_TYPE: ServerType.FLEX_UC,
                    CONF_URL: server_url(user_input),
                    CONF_VERIFY_SSL: user_input[CONF_VERIFY_SSL],
                    **kazoo_login(user_input),
                }
                return await self._async_create(data)
            except InputError as err:
                errors[err.field] = err.error
        return self.async_show_form(
            step_id=ServerType.FLEX_UC,
            data_schema=self.add_suggested_values_to_schema(FLEX_UC_SCHEMA, _suggested(user_input)),
            errors=errors,
            description_placeholders={"example_url": KAZOO_EXAMPLE_URL},
        )

    async def async_step_isymphony(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add an iSymphony core server, with the REST servlet's manager account."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                data = {
                    CONF_SERVER_TYPE: ServerType.ISYMPHONY,
                    CONF_URL: server_url(user_input),
                    CONF_VERIFY_SSL: user_input[CONF_VERIFY_SSL],
                    CONF_USERNAME: text_input(user_input, CONF_USERNAME),
                    CONF_PASSWORD: user_input[CONF_PASSWORD],
                    CONF_CORE_SERVER: text_input(user_input, CONF_CORE_SERVER)
                    or DEFAULT_CORE_SERVER,
                }
                return await self._async_create(data)
            except InputError as err:
                errors[err.field] = err.error
        return self.async_show_form(
            step_id=ServerType.ISYMPHONY,
            data_schema=self.add_suggested_values_to_schema(
                ISYMPHONY_SCHEMA, _suggested(user_input)
            ),
            errors=errors,
            description_placeholders={
                "example_url": ISYMPHONY_EXAMPLE_URL,
                "example_ssl_url": ISYMPHONY_EXAMPLE_SSL_URL,
            },
        )

    async def async_step_reauth(
        self,
        entry_data: Mapping[str, Any],  # noqa: ARG002 - the entry is read in the next step
    ) -> ConfigFlowResult:
        """The server refused the stored credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for new credentials of the same kind the entry has, and check them."""
        entry = self._get_reauth_entry()
        api_key_login = bool(entry.data.get(CONF_API_KEY))
        errors: dict[str, str] = {}
        if user_input is not None:
            updates: dict[str, Any]
            if api_key_login:
                updates = {CONF_API_KEY: text_input(user_input, CONF_API_KEY)}
            else:
                updates = backend_class(entry.data).login_data(
                    text_input(user_input, CONF_USERNAME), user_input[CONF_PASSWORD]
                )
            try:
                return await self._async_update(entry, {**entry.data, **updates})
            except InputError as err:
                errors[err.field] = err.error
        schema = REAUTH_API_KEY_SCHEMA if api_key_login else REAUTH_USER_SCHEMA
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                schema, _suggested(user_input or entry.data)
            ),
            errors=errors,
            description_placeholders={"name": entry.title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the URL, certificate check or credentials of an entry."""
        entry = self._get_reconfigure_entry()
        backend = backend_class(entry.data)
        account_login = backend.api_key_login
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                url = server_url(user_input)
                # Stored secrets go only to the server they were given for.
                same_url = URL(url) == URL(entry.data[CONF_URL])
                stored: Mapping[str, Any] = entry.data if same_url else {}
                if account_login:  # switching to or from an API key leaves nothing behind
                    login = kazoo_login(user_input, stored)
                    kept = {k: v for k, v in entry.data.items() if k not in KAZOO_LOGIN_KEYS}
                else:
                    login = isymphony_login(user_input, stored)
                    kept = dict(entry.data)
                data = {
                    **{k: v for k, v in kept.items() if k != CONF_WEBSOCKET_URL},
                    CONF_URL: url,
                    CONF_VERIFY_SSL: user_input[CONF_VERIFY_SSL],
                    **login,
                }
                if backend.websocket_url_option and (socket := websocket_url(user_input)):
                    data[CONF_WEBSOCKET_URL] = socket
                return await self._async_update(entry, data)
            except InputError as err:
                errors[err.field] = err.error
        schema = RECONFIGURE_FLEX_UC_SCHEMA if account_login else RECONFIGURE_ISYMPHONY_SCHEMA
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                schema, _suggested(user_input or entry.data)
            ),
            errors=errors,
            description_placeholders={"name": entry.title},
        )

    def _backend(self, data: Mapping[str, Any]) -> PbxBackend[Any]:
        session = async_get_clientsession(self.hass, verify_ssl=data.get(CONF_VERIFY_SSL, True))
        return create_backend(data, session)

    async def _async_create(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Test a new entry's data against the server, then create the entry."""
        backend = self._backend(data)
        info = await self._async_ask(data, backend.async_identify())
        await self.async_set_unique_id(info.unique_id, raise_on_progress=False)
        self._abort_if_unique_id_configured()
        if not await self._async_ask(data, backend.async_has_license()):
            raise InputError("no_license")  # no user's presence could ever be shown
        kinds = await self._async_ask(data, backend.async_default_kinds())
        options = {} if kinds is None else {CONF_IMPORT: sorted(kind.value for kind in kinds)}
        return self.async_create_entry(
            title=info.name,
            data=data,
            options=options,
            # A large account starts with some kinds only: say where to add more.
            description="users_only" if options else None,
            description_placeholders=(
                {"users": str(backend.users_only_above)} if options else None
            ),
        )

    @staticmethod
    @callback
    def async_get_options_flow(
        config_entry: ConfigEntry,  # noqa: ARG004 - the flow reads it as self.config_entry
    ) -> PbxOptionsFlow:
        """What to import and how often to poll."""
        return PbxOptionsFlow()

    async def _async_update(self, entry: ConfigEntry, data: dict[str, Any]) -> ConfigFlowResult:
        """Test changed data against the server; it must still be the entry's server."""
        info = await self._async_ask(data, self._backend(data).async_identify())
        await self.async_set_unique_id(info.unique_id)
        if entry.unique_id is None or entry.unique_id != info.former_unique_id:
            # (An entry still keyed the old way moves to the new id when it is set up.)
            self._abort_if_unique_id_mismatch(reason="unique_id_mismatch")
        return self.async_update_reload_and_abort(entry, data=data)

    @staticmethod
    async def _async_ask[T](data: Mapping[str, Any], call: Awaitable[T]) -> T:
        """Await a server call; its errors become an InputError for the form."""
        try:
            return await call
        except PbxError as err:
            key = error_key(err)
            if key == UNKNOWN:
                LOGGER.warning(
                    "The server at %s gave an unexpected answer: %s", shown_url(data[CONF_URL]), err
                )
            else:
                LOGGER.debug("Checking the server at %s failed: %s", shown_url(data[CONF_URL]), err)
            raise InputError(key) from err
        except Exception as err:
            LOGGER.exception(
                "Unexpected error while checking the server at %s", shown_url(data[CONF_URL])
            )
            raise InputError(UNKNOWN) from err
