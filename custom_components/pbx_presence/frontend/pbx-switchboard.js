// PBX Presence switchboard: a sidebar panel (<pbx-switchboard-panel>) and a dashboard card
// (custom:pbx-switchboard-card). Plain JavaScript, no build step: this file is what ships.
//
// Data comes from the integration's websocket command `pbx_presence/switchboard/subscribe`:
// every tile once, then only the tiles that changed. Each tile's DOM is built once and
// updated in place; tiles off screen skip layout and paint (content-visibility), so a
// thousand people stay cheap. Actions go through the integration's own services.

const COMMAND = "pbx_presence/switchboard/subscribe";
const STORAGE_KEY = "pbx-switchboard-view";

const STRINGS = {
  en: {
    title: "Switchboard",
    search: "Search name, extension, status",
    group_by: "Group",
    group_none: "No groups",
    group_area: "By area",
    group_server: "By server",
    sort_by: "Sort",
    sort_name: "By name",
    sort_extension: "By extension",
    compact: "Compact",
    people: "People",
    no_area: "No area",
    shared_phones: "Shared phones",
    park_slots: "Park slots",
    queues: "Queues",
    agents: "{available} of {logged_in} agents free",
    no_agents: "No agent logged in",
    count: "{shown} of {total}",
    nothing: "Nobody matches.",
    loading: "Loading…",
    lamp_ringing: "Ringing",
    lamp_busy: "On a call",
    lamp_away: "Not taking calls",
    lamp_free: "Free",
    lamp_no_phone: "No phone",
    lamp_offline: "Phone offline",
    lamp_unknown: "Not known",
    lamp_park: "Park slot",
    back_at: "back {time}",
    from: "from {party}",
    to: "to {party}",
    voicemails: "{count} new voicemails",
    watchers: "{count} watching",
    parked: "Parked: {caller}",
    status: "Status",
    status_name: "Name",
    note: "Note",
    return_time: "Back at",
    set_status: "Set status",
    reset_presence: "Reset presence",
    blf_override: "BLF override",
    do_not_disturb: "Do not disturb",
    call_forward: "Call forwarding",
    call_forward_number: "Forward to",
    save: "Save",
    call: "Call",
    call_number: "Number or name",
    call_hint: "{name}'s phone rings first, then it dials.",
    close: "Close",
    done: "Done.",
    servers: "Servers",
    area: "Area",
    card_title: "Title",
    card_search: "Show only who matches",
    card_toolbar: "Show the toolbar",
  },
  de: {
    title: "Vermittlung",
    search: "Name, Nebenstelle, Status suchen",
    group_by: "Gruppieren",
    group_none: "Keine Gruppen",
    group_area: "Nach Bereich",
    group_server: "Nach Server",
    sort_by: "Sortieren",
    sort_name: "Nach Name",
    sort_extension: "Nach Nebenstelle",
    compact: "Kompakt",
    people: "Personen",
    no_area: "Kein Bereich",
    shared_phones: "Gemeinsame Telefone",
    park_slots: "Parkplätze",
    queues: "Warteschlangen",
    agents: "{available} von {logged_in} Agenten frei",
    no_agents: "Kein Agent angemeldet",
    count: "{shown} von {total}",
    nothing: "Niemand passt zur Suche.",
    loading: "Wird geladen …",
    lamp_ringing: "Klingelt",
    lamp_busy: "Im Gespräch",
    lamp_away: "Nimmt keine Anrufe an",
    lamp_free: "Frei",
    lamp_no_phone: "Kein Telefon",
    lamp_offline: "Telefon nicht angemeldet",
    lamp_unknown: "Unbekannt",
    lamp_park: "Parkplatz",
    back_at: "zurück {time}",
    from: "von {party}",
    to: "an {party}",
    voicemails: "{count} neue Sprachnachrichten",
    watchers: "{count} beobachten",
    parked: "Geparkt: {caller}",
    status: "Status",
    status_name: "Bezeichnung",
    note: "Notiz",
    return_time: "Zurück um",
    set_status: "Status setzen",
    reset_presence: "Präsenz zurücksetzen",
    blf_override: "BLF-Vorgabe",
    do_not_disturb: "Nicht stören",
    call_forward: "Rufumleitung",
    call_forward_number: "Umleiten an",
    save: "Speichern",
    call: "Anrufen",
    call_number: "Nummer oder Name",
    call_hint: "Zuerst klingelt das Telefon von {name}, dann wird gewählt.",
    close: "Schließen",
    done: "Erledigt.",
    servers: "Server",
    area: "Bereich",
    card_title: "Titel",
    card_search: "Nur zeigen, wer hierzu passt",
    card_toolbar: "Werkzeugleiste zeigen",
  },
};

const LAMPS = ["ringing", "busy", "away", "free", "no_phone", "offline", "unknown", "park"];

const STYLE = `
:host {
  display: block;
  --pbx-free: var(--success-color, #43a047);
  --pbx-ringing: var(--warning-color, #ffa600);
  --pbx-busy: var(--error-color, #db4437);
  --pbx-away: #9c4dcc;
  --pbx-off: var(--disabled-color, #9e9e9e);
  color: var(--primary-text-color);
  font-family: var(--paper-font-body1_-_font-family, Roboto, sans-serif);
}
.toolbar {
  display: flex; flex-wrap: wrap; gap: 8px; align-items: center;
  padding: 8px 12px; position: sticky; top: 0; z-index: 2;
  background: var(--primary-background-color);
  border-bottom: 1px solid var(--divider-color);
}
.toolbar .title { font-size: 20px; margin-right: 8px; display: flex; align-items: center; gap: 4px; }
.toolbar input[type=search] { flex: 1 1 220px; min-width: 140px; }
input, select, button {
  font: inherit; color: var(--primary-text-color);
  background: var(--card-background-color, var(--secondary-background-color));
  border: 1px solid var(--divider-color); border-radius: 6px; padding: 6px 8px;
}
button { cursor: pointer; }
button.primary { background: var(--primary-color); color: var(--text-primary-color, #fff); border-color: var(--primary-color); }
button:disabled { opacity: 0.5; cursor: default; }
label.check { display: inline-flex; gap: 4px; align-items: center; }
.count { color: var(--secondary-text-color); font-size: 13px; }
.body { padding: 8px 12px 24px; }
section h2 {
  font-size: 14px; font-weight: 500; margin: 14px 0 6px;
  color: var(--secondary-text-color); text-transform: uppercase; letter-spacing: .04em;
}
.grid { display: grid; gap: 6px; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); }
.tile {
  display: grid; grid-template-columns: 22px 1fr auto; column-gap: 8px; align-items: start;
  background: var(--card-background-color, #fff); color: inherit; text-align: left;
  border: 1px solid var(--divider-color); border-left: 4px solid var(--lamp, var(--pbx-off));
  border-radius: 8px; padding: 6px 8px; min-height: 58px; cursor: pointer;
  content-visibility: auto; contain-intrinsic-size: auto 58px;
}
.tile:hover, .tile:focus-visible { outline: 2px solid var(--primary-color); outline-offset: -1px; }
.lamp {
  width: 16px; height: 16px; border-radius: 50%; margin-top: 2px; box-sizing: border-box;
  background: var(--lamp, var(--pbx-off)); position: relative;
}
.l-free { --lamp: var(--pbx-free); }
.l-ringing { --lamp: var(--pbx-ringing); }
.l-ringing .lamp { animation: blink 1s steps(2, start) infinite; }
.l-busy { --lamp: var(--pbx-busy); }
.l-away { --lamp: var(--pbx-away); }
.l-away .lamp::after {
  content: ""; position: absolute; left: 3px; right: 3px; top: 6px; height: 4px;
  background: var(--card-background-color, #fff); border-radius: 1px;
}
.l-no_phone .lamp, .l-offline .lamp, .l-park .lamp { background: transparent; border: 3px solid var(--lamp, var(--pbx-off)); }
.l-unknown .lamp { background: transparent; border: 2px dashed var(--pbx-off); }
@keyframes blink { to { opacity: 0.25; } }
.name { font-weight: 500; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.ext { color: var(--secondary-text-color); font-variant-numeric: tabular-nums; white-space: nowrap; }
.line { grid-column: 2 / 4; font-size: 13px; color: var(--secondary-text-color);
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.line:empty { display: none; }
.line.state { color: var(--primary-text-color); }
.timer { font-variant-numeric: tabular-nums; }
.vm { color: var(--pbx-busy); font-weight: 500; }
:host([compact]) .grid { grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 3px; }
:host([compact]) .tile { min-height: 0; padding: 2px 6px; grid-template-columns: 12px 1fr auto;
  column-gap: 5px; border-radius: 4px; border-left-width: 3px; contain-intrinsic-size: auto 24px; }
:host([compact]) .lamp { width: 10px; height: 10px; margin-top: 4px; }
:host([compact]) .l-away .lamp::after { left: 2px; right: 2px; top: 3px; height: 2px; }
:host([compact]) .l-no_phone .lamp, :host([compact]) .l-offline .lamp, :host([compact]) .l-park .lamp { border-width: 2px; }
:host([compact]) .line { display: none; }
:host([compact]) .line.state.calling { display: block; }
:host([compact]) .name, :host([compact]) .ext { font-size: 13px; }
:host([compact]) section h2 { margin: 8px 0 3px; }
.empty { color: var(--secondary-text-color); padding: 24px 0; }
dialog {
  border: none; border-radius: 12px; padding: 0; width: min(480px, 100vw - 16px);
  background: var(--card-background-color, #fff); color: var(--primary-text-color);
  box-shadow: 0 8px 28px rgba(0,0,0,.4);
}
dialog::backdrop { background: rgba(0,0,0,.45); }
.dlg { padding: 16px; display: grid; gap: 12px; }
.dlg header { display: grid; grid-template-columns: 22px 1fr auto; gap: 8px; align-items: center; }
.dlg header h3 { margin: 0; font-size: 20px; font-weight: 500; }
.dlg .facts { font-size: 14px; display: grid; gap: 2px; color: var(--secondary-text-color); }
.dlg .facts .state { color: var(--primary-text-color); }
.dlg fieldset { border: 1px solid var(--divider-color); border-radius: 8px; display: grid; gap: 8px; margin: 0; padding: 8px 10px 10px; }
.dlg legend { padding: 0 4px; color: var(--secondary-text-color); font-size: 13px; }
.dlg .row { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.dlg .row > label { flex: 1 1 160px; display: grid; gap: 2px; font-size: 13px; color: var(--secondary-text-color); }
.dlg .row > label > * { color: var(--primary-text-color); }
.dlg .error { color: var(--error-color, #db4437); font-size: 14px; }
.dlg .error:empty, .dlg .ok:empty, .dlg [hidden] { display: none; }
.dlg .hint { color: var(--secondary-text-color); font-size: 13px; }
.dlg .ok { color: var(--pbx-free); font-size: 14px; }
.dlg .actions { display: flex; flex-wrap: wrap; gap: 8px; justify-content: flex-end; }
@media (max-width: 600px) {
  .grid { grid-template-columns: 1fr; }
  :host([compact]) .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  .toolbar { padding: 6px 8px; }
  .toolbar .title { flex: 1 0 100%; }
  .body { padding: 4px 8px 16px; }
  dialog { width: 100vw; max-width: 100vw; max-height: 100vh; margin: auto 0 0; border-radius: 12px 12px 0 0; }
}
`;

const TILE_TEMPLATE = document.createElement("template");
TILE_TEMPLATE.innerHTML =
  '<button class="tile" type="button"><span class="lamp"></span><span class="name"></span>' +
  '<span class="ext"></span><span class="line state"></span><span class="line info"></span></button>';

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

function duration(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

// One collator for every comparison: localeCompare with options builds one per call.
const COLLATOR = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function compareText(a, b) {
  return COLLATOR.compare(a || "", b || "");
}

const FORMATS = new Map();

// When: the time today; the day and time this year; the date with the year otherwise.
function dateFormat(language, kind) {
  const key = `${language}|${kind}`;
  if (!FORMATS.has(key)) {
    const options = { hour: "numeric", minute: "2-digit" };
    if (kind !== "today") Object.assign(options, { weekday: "short", day: "numeric", month: "short" });
    if (kind === "other") options.year = "numeric";
    let format;
    try {
      format = new Intl.DateTimeFormat(language, options);
    } catch (err) {
      format = new Intl.DateTimeFormat(undefined, options);
    }
    FORMATS.set(key, format);
  }
  return FORMATS.get(key);
}

const CARD_OPTIONS = {
  title: "string",
  search: "string",
  compact: "boolean",
  toolbar: "boolean",
  group_by: ["area", "server", "none"],
  sort_by: ["name", "extension"],
};

// A card's options, checked as Lovelace sets them: a wrong one shows as the card's error.
function checkCardConfig(config) {
  if (!config || typeof config !== "object" || Array.isArray(config)) {
    throw new Error("pbx-switchboard-card: the configuration must be a mapping of options");
  }
  for (const [key, kind] of Object.entries(CARD_OPTIONS)) {
    const value = config[key];
    if (value === undefined || value === null) continue;
    if (Array.isArray(kind)) {
      if (!kind.includes(value)) {
        throw new Error(`pbx-switchboard-card: ${key} must be one of ${kind.join(", ")} (not ${JSON.stringify(value)})`);
      }
    } else if (typeof value !== kind) {
      throw new Error(`pbx-switchboard-card: ${key} must be a ${kind} (not ${JSON.stringify(value)})`);
    }
  }
  return config;
}

const CARD_STYLE = `
:host {
  background: var(--ha-card-background, var(--card-background-color, #fff));
  border-radius: var(--ha-card-border-radius, 12px);
  border: var(--ha-card-border-width, 1px) solid var(--ha-card-border-color, var(--divider-color, #e0e0e0));
  box-shadow: var(--ha-card-box-shadow, none);
  overflow: hidden;
}
.toolbar { position: static; background: transparent; }
:host([no-toolbar]) .toolbar { display: none; }
.body { padding: 4px 12px 12px; }
`;

const EDITOR_STYLE = `
.editor { display: grid; gap: 12px; color: var(--primary-text-color); }
label.field { display: grid; gap: 4px; font-size: 14px; color: var(--secondary-text-color); }
label.check { display: flex; gap: 8px; align-items: center; }
input, select {
  font: inherit; color: var(--primary-text-color);
  background: var(--card-background-color, var(--secondary-background-color));
  border: 1px solid var(--divider-color); border-radius: 6px; padding: 6px 8px;
}
`;

// The classes are made once Home Assistant's own app has set up custom elements (see below).
function switchboardElements() {
  class PbxSwitchboard extends HTMLElement {
    constructor() {
      super();
      this._hass = null;
      this._tiles = new Map(); // id -> { data, el, refs, search }
      this._statuses = [];
      this._texts = { status: {}, errors: {} };
      this._loaded = false;
      this._view = { group: "area", sort: "name", compact: false, search: "" };
      this._timers = new Set();
      this._layoutQueued = false;
      this._dialogId = null;
      this.attachShadow({ mode: "open" });
    }

    // --- Home Assistant hands us `hass` on every state change: keep this cheap. ---

    set hass(hass) {
      const first = !this._hass;
      this._hass = hass;
      if (first) {
        this._render();
      }
      if (this.isConnected && !this._unsubscribe) {
        this._subscribe();
      }
      if (this._dialogId) {
        this._refreshControls();
      }
    }

    get hass() {
      return this._hass;
    }

    connectedCallback() {
      if (!this.shadowRoot.firstChild) {
        this._render();
      }
      if (this._hass && !this._unsubscribe) {
        this._subscribe();
      }
      this._clock = setInterval(() => this._tick(), 1000);
    }

    disconnectedCallback() {
      clearInterval(this._clock);
      if (this._unsubscribe) {
        const unsubscribe = this._unsubscribe;
        this._unsubscribe = null;
        unsubscribe.then((stop) => stop()).catch(() => {});
      }
    }

    _t(key, values) {
      const language = (this._hass && this._hass.language) || "en";
      const table = STRINGS[language] || STRINGS[language.split("-")[0]] || STRINGS.en;
      const text = table[key] || STRINGS.en[key] || key;
      return values ? fill(text, values) : text;
    }

    _subscribe() {
      this._loaded = false;
      this._unsubscribe = this._hass.connection.subscribeMessage((event) => this._onEvent(event), {
        type: COMMAND,
        language: this._hass.language,
      });
      this._unsubscribe.catch((err) => {
        this._unsubscribe = null;
        this._body.textContent = err && err.message ? err.message : String(err);
      });
    }

    // --- data ---

    _onEvent(event) {
      const started = performance.now();
      if (event.full) {
        for (const tile of this._tiles.values()) {
          tile.el.remove();
        }
        this._tiles.clear();
        this._timers.clear();
        this._texts = event.texts || this._texts;
        this._loaded = true;
      }
      if (event.statuses) {
        this._statuses = event.statuses;
      }
      let relayout = !!event.full;
      for (const data of event.tiles || []) {
        relayout = this._upsert(data) || relayout;
      }
      for (const id of event.removed || []) {
        const tile = this._tiles.get(id);
        if (tile) {
          tile.el.remove();
          this._tiles.delete(id);
          this._timers.delete(id);
          relayout = true;
        }
      }
      if (relayout) {
        this._layout();
      }
      if (this._dialogId && (event.full || (event.tiles || []).some((t) => t.id === this._dialogId))) {
        this._refreshDialog();
      }
      // For the benchmark and the browser tests: when the last change reached the DOM.
      this.lastUpdate = { received: started, applied: performance.now(), tiles: (event.tiles || []).length };
      this.dispatchEvent(new CustomEvent("pbx-switchboard-updated", { detail: this.lastUpdate }));
    }

    // Create or update one tile; true when its place (order, group, filter) may change.
    _upsert(data) {
      let tile = this._tiles.get(data.id);
      const isNew = !tile;
      if (isNew) {
        const el = TILE_TEMPLATE.content.firstElementChild.cloneNode(true);
        el.dataset.id = data.id;
        const [lamp, name, ext, state, info] = el.children;
        tile = { el, refs: { lamp, name, ext, state, info }, data: null, search: "" };
        this._tiles.set(data.id, tile);
      }
      const old = tile.data;
      tile.data = data;
      this._paint(tile);
      const place = (d) => [d.name, d.extension, d.area, d.servers.join(), d.kind].join("\u0001");
      const search = this._searchText(data);
      const moved = isNew || place(old) !== place(data) || (this._view.search && search !== tile.search);
      tile.search = search;
      return moved;
    }

    _searchText(data) {
      const status = data.status || {};
      return [data.name, data.extension, status.name, status.note, this._statusLabel(status.type), data.area]
        .filter(Boolean)
        .join(" ")
        .toLocaleLowerCase();
    }

    _statusLabel(type) {
      return type ? this._texts.status[type] || type : "";
    }

    _lampLabel(data) {
      // A queue's lamp is its agents: how many of those logged in are free.
      if (data.kind === "queue" && data.agents) {
        return data.agents.logged_in ? this._t("agents", data.agents) : this._t("no_agents");
      }
      return this._t(`lamp_${LAMPS.includes(data.lamp) ? data.lamp : "unknown"}`);
    }

    // Write one tile's data into its DOM (text and classes only).
    _paint(tile) {
      const { data, el, refs } = tile;
      el.className = `tile l-${data.lamp}`;
      refs.name.textContent = data.name;
      refs.ext.textContent = data.extension && data.extension !== data.name ? data.extension : "";
      const call = data.call;
      const status = data.status;
      let state = this._lampLabel(data);
      if (call && call.party) {
        state += ` · ${this._t(call.direction === "outgoing" ? "to" : "from", { party: call.party })}`;
      }
      refs.state.textContent = state;
      refs.state.classList.toggle("calling", !!call);
      if (call && call.started) {
        const timer = document.createElement("span");
        timer.className = "timer";
        refs.state.append(" · ", timer);
        tile.timer = timer;
        tile.since = Date.parse(call.started);
        timer.textContent = duration(Date.now() - tile.since);
        this._timers.add(data.id);
      } else {
        tile.timer = null;
        this._timers.delete(data.id);
      }
      const info = [];
      if (status) {
        const label = this._statusLabel(status.type);
        info.push(status.name && status.name !== label ? `${label}: ${status.name}` : label);
        if (status.note) info.push(status.note);
        if (status.until) info.push(this._t("back_at", { time: this._moment(status.until) }));
      }
      if (data.parked) info.push(this._t("parked", { caller: data.parked.caller || "?" }));
      if (data.kind === "park" && data.watchers != null) {
        info.push(this._t("watchers", { count: data.watchers }));
      }
      refs.info.textContent = info.join(" · ");
      if (data.voicemail) {
        const vm = document.createElement("span");
        vm.className = "vm";
        vm.textContent = `✉ ${data.voicemail}`;
        vm.title = this._t("voicemails", { count: data.voicemail });
        refs.ext.append(" ", vm);
      }
      el.title = [data.name, data.extension, this._lampLabel(data), refs.info.textContent]
        .filter(Boolean)
        .join(" · ");
    }

    _moment(iso) {
      const when = new Date(iso);
      const language = (this._hass && this._hass.language) || undefined;
      const now = new Date();
      const kind =
        when.toDateString() === now.toDateString()
          ? "today"
          : when.getFullYear() === now.getFullYear()
            ? "year"
            : "other";
      return dateFormat(language, kind).format(when);
    }

    _tick() {
      const now = Date.now();
      for (const id of this._timers) {
        const tile = this._tiles.get(id);
        if (tile && tile.timer) {
          tile.timer.textContent = duration(now - tile.since);
        }
      }
      if (this._dialogTimer && this._dialogSince) {
        this._dialogTimer.textContent = duration(now - this._dialogSince);
      }
    }

    // --- layout: which tiles show, in which group, in which order ---

    _layout() {
      if (!this._body) return;
      const view = this._view;
      const words = view.search.toLocaleLowerCase().split(/\s+/).filter(Boolean);
      const shown = [];
      for (const tile of this._tiles.values()) {
        if (words.every((word) => tile.search.includes(word))) {
          shown.push(tile);
        } else {
          tile.el.remove();
        }
      }
      const byName = (a, b) => compareText(a.data.name, b.data.name) || compareText(a.data.id, b.data.id);
      const byExtension = (a, b) => compareText(a.data.extension || "\uffff", b.data.extension || "\uffff") || byName(a, b);
      shown.sort(view.sort === "extension" ? byExtension : byName);
      const groups = new Map();
      const add = (key, title, tile) => {
        if (!groups.has(key)) groups.set(key, { title, tiles: [] });
        groups.get(key).tiles.push(tile);
      };
      for (const tile of shown) {
        const data = tile.data;
        if (data.kind === "park") {
          add("1park", this._t("park_slots"), tile);
        } else if (data.kind === "phone") {
          add("2phone", this._t("shared_phones"), tile);
        } else if (data.kind === "queue") {
          add("2queue", this._t("queues"), tile);
        } else if (view.group === "area") {
          add(`3${data.area || "\uffff"}`, data.area || this._t("no_area"), tile);
        } else if (view.group === "server") {
          const servers = data.servers.join(" + ");
          add(`3${servers}`, servers, tile);
        } else {
          add("3", this._t("people"), tile);
        }
      }
      const keys = [...groups.keys()].sort((a, b) => compareText(a, b));
      const fragment = document.createDocumentFragment();
      for (const key of keys) {
        const group = groups.get(key);
        const section = document.createElement("section");
        const heading = document.createElement("h2");
        heading.textContent = `${group.title} (${group.tiles.length})`;
        const grid = document.createElement("div");
        grid.className = "grid";
        for (const tile of group.tiles) grid.append(tile.el);
        section.append(heading, grid);
        fragment.append(section);
      }
      if (!this._loaded) {
        this._body.textContent = this._t("loading");
      } else if (!shown.length) {
        this._body.replaceChildren();
        const empty = document.createElement("div");
        empty.className = "empty";
        empty.textContent = this._t("nothing");
        this._body.append(empty);
      } else {
        this._body.replaceChildren(fragment);
      }
      this._count.textContent = this._t("count", { shown: shown.length, total: this._tiles.size });
    }

    _queueLayout() {
      if (this._layoutQueued) return;
      this._layoutQueued = true;
      requestAnimationFrame(() => {
        this._layoutQueued = false;
        this._layout();
      });
    }

    // --- the page around the tiles ---

    _loadView() {
      try {
        Object.assign(this._view, JSON.parse(localStorage.getItem(STORAGE_KEY) || "{}"), { search: "" });
      } catch (err) {
        /* a view saved by another version: keep the defaults */
      }
    }

    _saveView() {
      const { group, sort, compact } = this._view;
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify({ group, sort, compact }));
      } catch (err) {
        /* private mode: the view is not kept */
      }
    }

    _option(value, label, current) {
      const option = document.createElement("option");
      option.value = value;
      option.textContent = label;
      option.selected = value === current;
      return option;
    }

    _render() {
      if (this._rendered) return;
      this._rendered = true;
      this._loadView();
      const root = this.shadowRoot;
      const style = document.createElement("style");
      style.textContent = STYLE;
      const toolbar = document.createElement("div");
      toolbar.className = "toolbar";
      const title = document.createElement("div");
      title.className = "title";
      this._titleEl = title;
      const search = document.createElement("input");
      search.type = "search";
      search.placeholder = this._t("search");
      search.setAttribute("aria-label", this._t("search"));
      search.value = this._view.search || "";
      search.addEventListener("input", () => {
        this._view.search = search.value;
        this._queueLayout();
      });
      const group = document.createElement("select");
      group.setAttribute("aria-label", this._t("group_by"));
      group.append(
        this._option("area", this._t("group_area"), this._view.group),
        this._option("server", this._t("group_server"), this._view.group),
        this._option("none", this._t("group_none"), this._view.group),
      );
      group.addEventListener("change", () => {
        this._view.group = group.value;
        this._saveView();
        this._layout();
      });
      const sort = document.createElement("select");
      sort.setAttribute("aria-label", this._t("sort_by"));
      sort.append(
        this._option("name", this._t("sort_name"), this._view.sort),
        this._option("extension", this._t("sort_extension"), this._view.sort),
      );
      sort.addEventListener("change", () => {
        this._view.sort = sort.value;
        this._saveView();
        this._layout();
      });
      const compactLabel = document.createElement("label");
      compactLabel.className = "check";
      const compact = document.createElement("input");
      compact.type = "checkbox";
      compact.checked = !!this._view.compact;
      compact.addEventListener("change", () => {
        this._view.compact = compact.checked;
        this.toggleAttribute("compact", compact.checked);
        this._saveView();
      });
      compactLabel.append(compact, this._t("compact"));
      this.toggleAttribute("compact", !!this._view.compact);
      const count = document.createElement("span");
      count.className = "count";
      this._count = count;
      toolbar.append(title, search, group, sort, compactLabel, count);
      this._toolbar = toolbar;
      this._controls = { search, group, sort, compact };
      const body = document.createElement("div");
      body.className = "body";
      body.textContent = this._t("loading");
      body.addEventListener("click", (event) => {
        const el = event.target.closest(".tile");
        if (el) this._openDialog(el.dataset.id);
      });
      this._body = body;
      const dialog = document.createElement("dialog");
      dialog.addEventListener("close", () => {
        this._dialogId = null;
        this._dialogTimer = null;
      });
      this._dialog = dialog;
      root.append(style, toolbar, body, dialog);
      this._renderTitle();
    }

    _renderTitle() {
      this._titleEl.textContent = this._t("title");
    }

    // --- the dialog of one tile: facts and actions ---

    _openDialog(id) {
      if (!this._tiles.has(id)) return;
      this._dialogId = id;
      this._buildDialog();
      if (!this._dialog.open) this._dialog.showModal();
    }

    _field(labelText, control) {
      const label = document.createElement("label");
      label.append(labelText, control);
      return label;
    }

    _button(text, onClick, primary) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = text;
      if (primary) button.className = "primary";
      button.addEventListener("click", onClick);
      return button;
    }

    _buildDialog() {
      const tile = this._tiles.get(this._dialogId);
      const data = tile.data;
      const entities = data.entities || {};
      const wrap = document.createElement("div");
      wrap.className = "dlg";
      const header = document.createElement("header");
      header.className = `l-${data.lamp}`;
      const lamp = document.createElement("span");
      lamp.className = "lamp";
      const heading = document.createElement("h3");
      heading.textContent = data.name;
      const ext = document.createElement("span");
      ext.className = "ext";
      ext.textContent = data.extension || "";
      header.append(lamp, heading, ext);
      const facts = document.createElement("div");
      facts.className = "facts";
      this._dialogParts = { header, heading, ext, facts };
      const error = document.createElement("div");
      error.className = "error";
      error.setAttribute("role", "alert");
      const ok = document.createElement("div");
      ok.className = "ok";
      this._dialogError = error;
      this._dialogOk = ok;
      wrap.append(header, facts);

      if (entities["select.status"] || entities["sensor.status"]) {
        wrap.append(this._statusForm(data));
      }
      const controls = document.createElement("fieldset");
      controls.hidden = true;
      this._dialogControls = controls;
      wrap.append(controls);
      const services = (this._hass && this._hass.services && this._hass.services.pbx_presence) || {};
      if (services.call && data.kind !== "park" && data.kind !== "queue") {
        wrap.append(this._callForm(data));
      }
      wrap.append(error, ok);

      const actions = document.createElement("div");
      actions.className = "actions";
      if (entities["button.reset_presence"]) {
        actions.append(
          this._button(this._t("reset_presence"), () =>
            this._call("pbx_presence", "reset_presence", {}, { device_id: data.id }),
          ),
        );
      }
      actions.append(this._button(this._t("close"), () => this._dialog.close()));
      wrap.append(actions);
      this._dialog.replaceChildren(wrap);
      this._refreshDialog();
      this._refreshControls();
    }

    // Click-to-call: this tile's phone rings first; once picked up, it dials the number.
    _callForm(data) {
      const fieldset = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = this._t("call");
      const number = document.createElement("input");
      number.name = "number";
      number.autocomplete = "off";
      number.maxLength = 64;
      const call = () => this._call("pbx_presence", "call", { number: number.value }, { device_id: data.id });
      number.addEventListener("keydown", (event) => {
        if (event.key === "Enter") call();
      });
      const row = document.createElement("div");
      row.className = "row";
      row.append(this._field(this._t("call_number"), number), this._button(this._t("call"), call, true));
      const hint = document.createElement("div");
      hint.className = "hint";
      hint.textContent = this._t("call_hint", { name: data.name });
      fieldset.append(legend, row, hint);
      return fieldset;
    }

    _statusForm(data) {
      const fieldset = document.createElement("fieldset");
      const legend = document.createElement("legend");
      legend.textContent = this._t("status");
      const type = document.createElement("select");
      type.name = "status";
      const current = data.status || { type: "available", name: "" };
      // The current status: its administrator-defined name where there is one, else its type.
      let selected = this._statuses.findIndex((c) => c.type === current.type && c.name && c.name === current.name);
      if (selected < 0) selected = this._statuses.findIndex((c) => c.type === current.type && !c.name);
      this._statuses.forEach((choice, index) => {
        const label = this._statusLabel(choice.type);
        const text = choice.name ? `${choice.name} (${label})` : label;
        type.append(this._option(String(index), text, String(Math.max(selected, 0))));
      });
      const name = document.createElement("input");
      name.name = "status_name";
      name.maxLength = 64;
      name.value = current.name || "";
      const note = document.createElement("input");
      note.name = "note";
      note.maxLength = 255;
      note.value = current.note || "";
      const until = document.createElement("input");
      until.type = "datetime-local";
      until.name = "return_time";
      if (current.until) {
        const local = new Date(current.until);
        local.setMinutes(local.getMinutes() - local.getTimezoneOffset());
        until.value = local.toISOString().slice(0, 16);
      }
      type.addEventListener("change", () => {
        const choice = this._statuses[Number(type.value)];
        name.value = choice.name || "";
      });
      const set = this._button(
        this._t("set_status"),
        () => {
          const choice = this._statuses[Number(type.value)];
          const payload = { type: choice.type, note: note.value };
          if (name.value.trim()) payload.name = name.value;
          if (until.value) payload.return_time = new Date(until.value).toISOString();
          this._call("pbx_presence", "set_user_status", payload, { device_id: data.id });
        },
        true,
      );
      const row1 = document.createElement("div");
      row1.className = "row";
      row1.append(this._field(this._t("status"), type), this._field(this._t("status_name"), name));
      const row2 = document.createElement("div");
      row2.className = "row";
      row2.append(this._field(this._t("note"), note), this._field(this._t("return_time"), until));
      const row3 = document.createElement("div");
      row3.className = "actions";
      row3.append(set);
      fieldset.append(legend, row1, row2, row3);
      return fieldset;
    }

    // The facts at the top of the dialog follow live changes; the form keeps what was typed.
    _refreshDialog() {
      const tile = this._tiles.get(this._dialogId);
      if (!tile || !this._dialogParts) {
        if (this._dialog.open) this._dialog.close();
        return;
      }
      const data = tile.data;
      const { header, heading, ext, facts } = this._dialogParts;
      header.className = `l-${data.lamp}`;
      heading.textContent = data.name;
      ext.textContent = data.extension || "";
      const lines = [];
      const state = document.createElement("div");
      state.className = "state";
      state.textContent = this._lampLabel(data);
      this._dialogTimer = null;
      if (data.call) {
        if (data.call.party) {
          state.append(` · ${this._t(data.call.direction === "outgoing" ? "to" : "from", { party: data.call.party })}`);
        }
        if (data.call.started) {
          const timer = document.createElement("span");
          timer.className = "timer";
          this._dialogSince = Date.parse(data.call.started);
          timer.textContent = duration(Date.now() - this._dialogSince);
          state.append(" · ", timer);
          this._dialogTimer = timer;
        }
      }
      lines.push(state);
      const text = (value) => {
        const line = document.createElement("div");
        line.textContent = value;
        lines.push(line);
      };
      const status = data.status;
      if (status) {
        const label = this._statusLabel(status.type);
        text(status.name && status.name !== label ? `${label}: ${status.name}` : label);
        if (status.note) text(status.note);
        if (status.until) text(this._t("back_at", { time: this._moment(status.until) }));
      }
      if (data.voicemail) text(this._t("voicemails", { count: data.voicemail }));
      if (data.parked) text(this._t("parked", { caller: data.parked.caller || "?" }));
      if (data.kind === "park" && data.watchers != null) text(this._t("watchers", { count: data.watchers }));
      if (data.area) text(`${this._t("area")}: ${data.area}`);
      text(`${this._t("servers")}: ${data.servers.join(", ")}`);
      facts.replaceChildren(...lines);
    }

    // Controls that are entities of their own (BLF override, DND, forwarding): their state
    // is in `hass.states`, so they follow every state change while the dialog is open.
    _refreshControls() {
      const tile = this._tiles.get(this._dialogId);
      const box = this._dialogControls;
      if (!tile || !box || !this._hass) return;
      const entities = tile.data.entities || {};
      const states = this._hass.states || {};
      const wanted = [
        ["select.blf_override", "blf_override"],
        ["switch.do_not_disturb", "do_not_disturb"],
        ["switch.call_forward", "call_forward"],
        ["text.call_forward_number", "call_forward_number"],
      ].filter(([key]) => entities[key] && states[entities[key]]);
      const signature = wanted.map(([key]) => `${entities[key]}=${states[entities[key]].state}`).join();
      if (signature === box.dataset.signature) return;
      box.dataset.signature = signature;
      box.hidden = !wanted.length;
      const row = document.createElement("div");
      row.className = "row";
      for (const [key, label] of wanted) {
        const entityId = entities[key];
        const state = states[entityId];
        const unavailable = state.state === "unavailable";
        if (key.startsWith("select.")) {
          const select = document.createElement("select");
          select.name = label;
          for (const option of state.attributes.options || []) {
            const text = this._hass.formatEntityState ? this._hass.formatEntityState(state, option) : option;
            select.append(this._option(option, text, state.state));
          }
          select.disabled = unavailable;
          select.addEventListener("change", () =>
            this._call("select", "select_option", { option: select.value }, { entity_id: entityId }),
          );
          row.append(this._field(this._t(label), select));
        } else if (key.startsWith("switch.")) {
          const check = document.createElement("label");
          check.className = "check";
          const input = document.createElement("input");
          input.type = "checkbox";
          input.name = label;
          input.checked = state.state === "on";
          input.disabled = unavailable;
          input.addEventListener("change", () =>
            this._call("switch", input.checked ? "turn_on" : "turn_off", {}, { entity_id: entityId }),
          );
          check.append(input, this._t(label));
          row.append(check);
        } else {
          const input = document.createElement("input");
          input.name = label;
          input.value = unavailable || state.state === "unknown" ? "" : state.state;
          input.disabled = unavailable;
          const save = this._button(this._t("save"), () =>
            this._call("text", "set_value", { value: input.value }, { entity_id: entityId }),
          );
          const field = this._field(this._t(label), input);
          row.append(field, save);
        }
      }
      box.replaceChildren(row);
    }

    async _call(domain, service, data, target) {
      this._dialogError.textContent = "";
      this._dialogOk.textContent = "";
      const buttons = [...this._dialog.querySelectorAll("button")];
      buttons.forEach((button) => (button.disabled = true));
      try {
        await this._hass.callService(domain, service, data, target, false);
        this._dialogOk.textContent = this._t("done");
      } catch (err) {
        this._dialogError.textContent = this._errorText(err);
      } finally {
        buttons.forEach((button) => (button.disabled = false));
      }
    }

    // The integration's own words for its errors, in the user's language.
    _errorText(err) {
      if (err && err.translation_domain === "pbx_presence" && err.translation_key) {
        const template = this._texts.errors[err.translation_key];
        if (template) return fill(template, err.translation_placeholders || {});
      }
      return (err && (err.message || err.error)) || String(err);
    }
  }

  class PbxSwitchboardPanel extends PbxSwitchboard {
    set narrow(value) {
      this._narrow = value;
      if (this._menu) this._menu.narrow = value;
    }

    set panel(value) {
      this._panel = value;
    }

    set route(value) {
      this._route = value;
    }

    set hass(hass) {
      super.hass = hass;
      if (this._menu) this._menu.hass = hass;
    }

    get hass() {
      return super.hass;
    }

    _renderTitle() {
      super._renderTitle();
      // The sidebar's menu button, on phones and in the companion app.
      if (customElements.get("ha-menu-button")) {
        this._menu = document.createElement("ha-menu-button");
        this._menu.hass = this._hass;
        this._menu.narrow = this._narrow;
        this._titleEl.prepend(this._menu);
      }
    }
  }

  class PbxSwitchboardCard extends PbxSwitchboard {
    setConfig(config) {
      this._config = checkCardConfig(config);
      this._applyConfig();
    }

    // The view follows the configuration, also when the card editor changes it in place.
    _applyConfig() {
      const config = this._config || {};
      Object.assign(this._view, {
        group: config.group_by || "area",
        sort: config.sort_by || "name",
        compact: !!config.compact,
        search: config.search || "",
      });
      this.toggleAttribute("compact", this._view.compact);
      this.toggleAttribute("no-toolbar", config.toolbar === false);
      if (!this._controls) return;
      const { search, group, sort, compact } = this._controls;
      search.value = this._view.search;
      group.value = this._view.group;
      sort.value = this._view.sort;
      compact.checked = this._view.compact;
      this._renderTitle();
      this._layout();
    }

    _render() {
      if (this._rendered) return;
      super._render();
      const style = document.createElement("style");
      style.textContent = CARD_STYLE;
      this.shadowRoot.append(style);
      this._applyConfig();
    }

    _loadView() {
      /* a card's view comes from its configuration */
    }

    _saveView() {
      /* ... and is not stored */
    }

    _renderTitle() {
      if (this._config && this._config.title !== undefined) {
        this._titleEl.textContent = this._config.title;
      } else {
        super._renderTitle();
      }
    }

    // In rows of 50 px, for the masonry view: a header and the tiles, four (compact: six) a row.
    getCardSize() {
      const tiles = this._tiles.size || 20;
      return this._view.compact ? 2 + Math.ceil(tiles / 6) : 2 + Math.ceil(tiles / 4) * 2;
    }

    getGridOptions() {
      return { columns: "full", rows: "auto", min_columns: 6, min_rows: 3 };
    }

    static getConfigElement() {
      return document.createElement("pbx-switchboard-card-editor");
    }

    static getStubConfig() {
      return { compact: true };
    }
  }

  // The card's visual editor: plain form controls, so it needs nothing of the frontend's own.
  class PbxSwitchboardCardEditor extends HTMLElement {
    constructor() {
      super();
      this._config = {};
      this._hass = null;
      this.attachShadow({ mode: "open" });
    }

    set hass(hass) {
      const language = hass && hass.language;
      this._hass = hass;
      if (this._fields && language !== this._language) this._build();
    }

    setConfig(config) {
      this._config = { ...checkCardConfig(config) };
      if (!this._fields) this._build();
      this._fill();
    }

    connectedCallback() {
      if (!this._fields) this._build();
      this._fill();
    }

    _t(key) {
      return PbxSwitchboard.prototype._t.call(this, key);
    }

    _build() {
      this._language = this._hass && this._hass.language;
      const style = document.createElement("style");
      style.textContent = EDITOR_STYLE;
      const input = (name, type) => {
        const el = document.createElement("input");
        el.name = name;
        el.type = type;
        return el;
      };
      const select = (name, choices) => {
        const el = document.createElement("select");
        el.name = name;
        for (const [value, key] of choices) {
          const option = document.createElement("option");
          option.value = value;
          option.textContent = this._t(key);
          el.append(option);
        }
        return el;
      };
      const fields = {
        title: input("title", "text"),
        search: input("search", "text"),
        group_by: select("group_by", [["area", "group_area"], ["server", "group_server"], ["none", "group_none"]]),
        sort_by: select("sort_by", [["name", "sort_name"], ["extension", "sort_extension"]]),
        compact: input("compact", "checkbox"),
        toolbar: input("toolbar", "checkbox"),
      };
      fields.title.placeholder = this._t("title");
      const row = (key, el) => {
        const label = document.createElement("label");
        label.className = el.type === "checkbox" ? "check" : "field";
        if (el.type === "checkbox") label.append(el, this._t(key));
        else label.append(this._t(key), el);
        return label;
      };
      const form = document.createElement("div");
      form.className = "editor";
      form.append(
        row("card_title", fields.title),
        row("card_search", fields.search),
        row("group_by", fields.group_by),
        row("sort_by", fields.sort_by),
        row("compact", fields.compact),
        row("card_toolbar", fields.toolbar),
      );
      for (const [key, el] of Object.entries(fields)) {
        el.addEventListener(el.type === "text" ? "input" : "change", () => this._changed(key, el));
      }
      this._fields = fields;
      this.shadowRoot.replaceChildren(style, form);
    }

    _fill() {
      if (!this._fields) return;
      const config = this._config;
      const fields = this._fields;
      fields.title.value = config.title || "";
      fields.search.value = config.search || "";
      fields.group_by.value = config.group_by || "area";
      fields.sort_by.value = config.sort_by || "name";
      fields.compact.checked = !!config.compact;
      fields.toolbar.checked = config.toolbar !== false;
    }

    // Only what differs from the defaults goes into the card's YAML.
    _changed(key, el) {
      const config = { ...this._config };
      const value = el.type === "checkbox" ? el.checked : el.value;
      const fallback = { title: "", search: "", group_by: "area", sort_by: "name", compact: false, toolbar: true };
      if (value === fallback[key]) delete config[key];
      else config[key] = value;
      this._config = config;
      this.dispatchEvent(new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }));
    }
  }

  return { PbxSwitchboardPanel, PbxSwitchboardCard, PbxSwitchboardCardEditor };
}

// Home Assistant's app replaces `window.customElements` (and `HTMLElement`) with a polyfill
// of scoped element registries, then defines <home-assistant>. This file is also loaded as an
// extra module of every page (frontend.add_extra_js_url), fetched in parallel with the app:
// on a loaded machine it can run first. An element defined in the browser's own registry
// before the polyfill is there is one the frontend never sees (its `customElements.get` and
// `whenDefined` say "not defined", forever), so a dashboard shows "Custom element doesn't
// exist". So the elements are defined only once <home-assistant> is (at once on the panel,
// which the frontend loads later), and from the registry that is `customElements` by then.
function defineSwitchboard() {
  const classes = switchboardElements();
  const define = (name, element) => customElements.get(name) || customElements.define(name, element);
  define("pbx-switchboard-panel", classes.PbxSwitchboardPanel);
  define("pbx-switchboard-card", classes.PbxSwitchboardCard);
  define("pbx-switchboard-card-editor", classes.PbxSwitchboardCardEditor);
}

if (customElements.get("pbx-switchboard-card")) {
  /* this file ran already (under another ?v= once the integration was updated) */
} else if (customElements.get("home-assistant") || !document.querySelector("home-assistant")) {
  defineSwitchboard();
} else {
  customElements.whenDefined("home-assistant").then(defineSwitchboard);
}

window.customCards = window.customCards || [];
if (!window.customCards.some((card) => card.type === "pbx-switchboard-card")) {
  window.customCards.push({
    type: "pbx-switchboard-card",
    name: "PBX switchboard",
    description: "Everyone's phone and presence status, live; click a person for actions.",
    preview: false,
    documentationURL: "https://github.com/pbx-presence/pbx-presence#switchboard",
  });
}
