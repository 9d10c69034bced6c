// The ward map: a Streamlit custom component (v2: drawn in the page itself, no iframe;
// plain JavaScript, no build step, no CDN).
//
// Python (dashboard/map_component.py) mounts it with `data`, a JSON object (sent as text):
//   leaflet       {"js": url, "css": url}: the app's own Leaflet (static/leaflet)
//   geometry      JSON string {"codes": [...], "rings": [[[polyline, ...], ...], ...]}
//                 (hotspots.outputs.map_encoding.encode_geometry; decoded by
//                 hotspotsDecodeRing from map_decode.js, which Python puts before this)
//   geometry_key  changes only when the geometry does: the wards are rebuilt and the map
//                 refitted only then, so restyling keeps the user's zoom and position
//   bounds        [[south, west], [north, east]]
//   codes, fill   ward codes and their "#rrggbb" fill colours
//   fields        [[key, label], ...] and values: one list per ward, in fields' order
//   overlay       null or {"name": ..., "codes": [...]}: dashed outlines, not clickable
//   legend        pre-escaped legend HTML (dashboard.map_component.legend_html) or null
//   tiles         null or {"url", "attribution", "name"}: a base map, off until chosen
//   height        pixels
//   labels        per ward "Ward name: value" (its accessible name, with its class added)
//   classes       per ward its class (index into class_labels; -1: no data), class_labels
//   areas         null or {"geometry": JSON string as above (local authorities),
//                 "names": [...], "points": [[lat, lng], ...]}: outlines and names drawn
//                 over the wards, not clickable
//   focus         null or a ward code: zoom to that ward and give it the keyboard focus
//                 (the page's ward search); acted on once per new value
//   text          the component's words (translated by Python): region, skip, svg_title,
//                 keys, no_data, legend_title
//   skip_to       the id of the element the skip link moves the focus to
//   notify_drawn  true: set the trigger value "drawn" once this map is drawn (or could
//                 not be), so the page runs again (pages/map.py draws a session's first
//                 map before its controls)
// and sets the trigger value "ward" (the ward code) when a ward is clicked, or given the
// keyboard focus and Enter or Space pressed — nothing else, so drawing, panning and zooming
// never make the page run again.
//
// Keyboard: the wards are ONE Tab stop (a roving tabindex: one ward has tabindex 0, the
// others -1); the arrow keys move to the nearest ward in that direction, Enter or Space
// opens its profile, Escape closes the tooltip and the ward's details. Each ward has an
// accessible name ("Ward name: value, class"); the focused ward gets a black-and-white
// ring (at least 3:1 against any fill) and its details are shown under the map, never
// over it. The legend is drawn under the map, so it never covers a ward.
//
// Streamlit calls the default export on every run whose data changed, with the same
// parentElement; the map lives on in MAPS between calls and is removed on unmount.

const WARD_STYLE = {color: "#636363", weight: 0.6, opacity: 1.0, fillOpacity: 0.8};
const HOVER_STYLE = {color: "#000000", weight: 2.5};
const OVERLAY_STYLE = {color: "#1b1b1b", weight: 2.5, dashArray: "5 4", fill: false,
                       opacity: 1.0, interactive: false};
// Local-authority outlines: near-black, so every ward at the edge of the area (a "Not
// significant" one included) is bounded by a line of at least 3:1 against the background.
const AREA_STYLE = {color: "#1b1b1b", weight: 1.6, fill: false, opacity: 1.0,
                    interactive: false};
// The focus ring: white under black, so one of the two is at least 3:1 against any fill.
const RING_OUTER = {color: "#ffffff", weight: 7, fill: false, opacity: 1.0,
                    interactive: false, pane: "wardFocus"};
const RING_INNER = {color: "#000000", weight: 3, fill: false, opacity: 1.0,
                    interactive: false, pane: "wardFocus"};
const NO_DATA = "#d9d9d9";
const MAPS = new WeakMap();
const DIRECTIONS = {ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowUp: [0, 1], ArrowDown: [0, -1]};
const DEFAULT_TEXT = {
  region: "Map of wards", skip: "Skip the map", svg_title: "Map of wards",
  keys: "Arrow keys: move between wards. Enter: open the ward's profile. Escape: close.",
  no_data: "No data",
};

// Milestones (performance.now(), ms since navigation), for benchmarks.
const times = window.__wardMapTimes = window.__wardMapTimes || {};
if (!times.script) times.script = performance.now();

function loadLeaflet(urls) {
  // One <script> and one stylesheet for the whole page, however many maps and runs.
  // (Not preloaded: any element that could start the fetch earlier, st.html or Markdown
  // with HTML, has a lazily loaded script of its own that holds the map back longer.)
  if (window.L) return Promise.resolve();
  if (!window.__hotspotsLeaflet) {
    window.__hotspotsLeaflet = new Promise((resolve, reject) => {
      const css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = urls.css;
      document.head.appendChild(css);
      const script = document.createElement("script");
      script.src = urls.js;
      script.onload = resolve;
      script.onerror = () => {
        window.__hotspotsLeaflet = null;
        reject(new Error("could not load Leaflet from " + urls.js));
      };
      document.head.appendChild(script);
    });
  }
  return window.__hotspotsLeaflet;
}

function text(v) {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return v.toLocaleString("en-GB");
  return String(v);
}

class WardMap {
  constructor(parent) {
    // The wrapper: skip link, the map, the legend and the focused ward's details.
    this.root = document.createElement("div");
    this.root.className = "ward-map-wrap";
    this.root.setAttribute("role", "region");
    this.root.setAttribute("data-testid", "wardMap");
    this.skip = document.createElement("a");
    this.skip.className = "ward-map-skip";
    this.skip.href = "#";
    this.skip.addEventListener("click", (e) => { e.preventDefault(); this.skipPast(); });
    this.box = document.createElement("div");
    this.box.className = "ward-map";
    this.legendBox = document.createElement("div");
    this.legendBox.className = "ward-map-legend-box";
    this.details = document.createElement("div");
    this.details.className = "ward-map-details";
    this.details.hidden = true;
    this.root.append(this.skip, this.box, this.details, this.legendBox);
    parent.appendChild(this.root);
    this.map = null;
    this.wards = {};
    this.order = [];
    this.centres = {};
    this.group = null;
    this.areas = null;
    this.areasKey = null;
    this.geometryKey = null;
    this.overlay = null;
    this.tiles = null;
    this.tilesUrl = null;
    this.layers = null;
    this.fields = [];
    this.values = {};
    this.labels = {};
    this.classOf = {};
    this.classLabels = [];
    this.text = DEFAULT_TEXT;
    this.trigger = null;
    this.current = null;
    this.ring = null;
    this.tip = null;
    this.focusDone = null;
    this.skipTo = null;
  }

  skipPast() {
    const target = this.skipTo && document.getElementById(this.skipTo);
    if (target) {
      if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus();
      target.scrollIntoView({block: "start"});
    }
  }

  tooltip(code) {
    // Built from text nodes: names and uploaded strings can never become markup.
    const row = this.values[code] || [];
    const box = document.createElement("div");
    box.className = "ward-map-tip";
    this.fields.forEach((f, j) => {
      const line = document.createElement("div"), label = document.createElement("b");
      label.textContent = f[1];
      line.appendChild(label);
      line.appendChild(document.createTextNode(" " + text(row[j])));
      box.appendChild(line);
    });
    return box;
  }

  name(code) {
    // The ward's accessible name: "Ward name: value, class".
    const c = this.classOf[code];
    const cls = c === undefined ? "" : (c < 0 ? this.text.no_data : this.classLabels[c]);
    const base = this.labels[code] || code;
    return cls ? base + ", " + cls : base;
  }

  closeTips() {
    if (this.tip) this.map.closeTooltip(this.tip);
    this.details.hidden = true;
    this.details.textContent = "";
  }

  buildWards(geometry, fill, bounds) {
    // One feature group: one set of listeners for every ward (Leaflet hands them the
    // ward's layer) rather than one each; the view is set before the wards are added,
    // so they are drawn as they are added.
    const data = JSON.parse(geometry), map = this.map;
    if (this.group) map.removeLayer(this.group);
    this.wards = {};
    this.centres = {};
    const k = Math.cos((((bounds[0][0] + bounds[1][0]) / 2) * Math.PI) / 180);
    const layers = data.codes.map((code, i) => {
      const layer = L.polygon(data.rings[i].map((poly) => poly.map(hotspotsDecodeRing)),
                              Object.assign({fillColor: fill[code] || NO_DATA}, WARD_STYLE));
      layer.wardCode = code;
      layer.feature = {type: "Feature", properties: {ward_code: code}};
      this.wards[code] = layer;
      const c = layer.getBounds().getCenter();
      this.centres[code] = [c.lng * k, c.lat];
      return layer;
    });
    this.order = data.codes.slice();
    if (!this.tip) this.tip = L.tooltip({sticky: true, direction: "auto"});
    this.group = L.featureGroup(layers).on({
      mouseover: (e) => {
        e.layer.setStyle(HOVER_STYLE);
        this.tip.setContent(this.tooltip(e.layer.wardCode));
        this.tip.setLatLng(e.latlng || e.layer.getBounds().getCenter());
        map.openTooltip(this.tip);
      },
      mousemove: (e) => { if (e.latlng) this.tip.setLatLng(e.latlng); },
      mouseout: (e) => {
        e.layer.setStyle({color: WARD_STYLE.color, weight: WARD_STYLE.weight});
        map.closeTooltip(this.tip);
      },
      click: (e) => { if (this.trigger) this.trigger("ward", e.layer.wardCode); },
    });
    map.fitBounds(bounds);
    this.group.addTo(map);
    this.initKeyboard();
  }

  initKeyboard() {
    // One Tab stop: the ward nearest the middle of the area starts with tabindex 0.
    const mid = this.map.getBounds().getCenter();
    let best = null, bestD = Infinity;
    this.order.forEach((code) => {
      const el = this.wards[code].getElement();
      if (!el) return;
      el.setAttribute("tabindex", "-1");
      el.setAttribute("role", "button");
      el.setAttribute("focusable", "true");
      const c = this.wards[code].getBounds().getCenter();
      const d = (c.lat - mid.lat) ** 2 + (c.lng - mid.lng) ** 2;
      if (d < bestD) { bestD = d; best = code; }
      if (!el.__wardKeys) {
        el.__wardKeys = true;
        el.addEventListener("keydown", (e) => this.onKey(e, el.__wardCode));
        el.addEventListener("focus", () => this.onFocus(el.__wardCode));
        el.addEventListener("blur", () => this.onBlur(el.__wardCode));
      }
      el.__wardCode = code;
    });
    const keep = this.current && this.wards[this.current] ? this.current : best;
    this.setCurrent(keep);
    const svg = this.box.querySelector(".leaflet-overlay-pane svg");
    if (svg) {
      svg.setAttribute("role", "group");
      let title = svg.querySelector(":scope > title");
      if (!title) {
        title = document.createElementNS("http://www.w3.org/2000/svg", "title");
        svg.insertBefore(title, svg.firstChild);
      }
      title.textContent = this.text.svg_title;
      svg.setAttribute("aria-label", this.text.svg_title);
    }
  }

  setCurrent(code) {
    if (this.current && this.wards[this.current]) {
      const old = this.wards[this.current].getElement();
      if (old) old.setAttribute("tabindex", "-1");
    }
    this.current = code;
    const el = code && this.wards[code] && this.wards[code].getElement();
    if (el) el.setAttribute("tabindex", "0");
  }

  nearest(code, dir) {
    // The ward whose centre lies most nearly in direction ``dir`` (x east, y north).
    const [x0, y0] = this.centres[code];
    let best = null, bestScore = Infinity;
    this.order.forEach((other) => {
      if (other === code) return;
      const [x, y] = this.centres[other];
      const along = (x - x0) * dir[0] + (y - y0) * dir[1];
      if (along <= 0) return;
      const across = Math.abs((x - x0) * dir[1] - (y - y0) * dir[0]);
      if (across > 2 * along) return;
      const score = along + 2 * across;
      if (score < bestScore) { bestScore = score; best = other; }
    });
    return best;
  }

  focusWard(code, zoom) {
    const layer = this.wards[code];
    if (!layer) return;
    this.setCurrent(code);
    const b = layer.getBounds();
    if (zoom) {
      this.map.fitBounds(b, {maxZoom: 13, padding: [40, 40], animate: false});
    } else if (!this.map.getBounds().contains(b.getCenter())) {
      this.map.panTo(b.getCenter(), {animate: false});
    }
    const el = layer.getElement();
    if (el) el.focus({preventScroll: true});
  }

  onKey(e, code) {
    if (DIRECTIONS[e.key]) {
      e.preventDefault();
      e.stopPropagation();
      const next = this.nearest(code, DIRECTIONS[e.key]);
      if (next) this.focusWard(next, false);
    } else if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      if (this.trigger) this.trigger("ward", code);
    } else if (e.key === "Escape") {
      this.closeTips();
    }
  }

  onFocus(code) {
    const layer = this.wards[code];
    if (!layer) return;
    this.setCurrent(code);
    if (this.tip) this.map.closeTooltip(this.tip);
    const rings = layer.getLatLngs();
    this.ring = L.layerGroup([L.polygon(rings, RING_OUTER), L.polygon(rings, RING_INNER)])
      .addTo(this.map);
    // The details go under the map (never over the ward), as text.
    this.details.textContent = "";
    this.details.appendChild(this.tooltip(code));
    this.details.hidden = false;
    this.showDetails(layer);
  }

  showDetails(layer) {
    // On a small screen the details under the map can fall below the window: bring them
    // up as far as the focused ward stays in view (its top edge never leaves the window).
    const below = this.details.getBoundingClientRect().bottom - window.innerHeight;
    if (below <= 0) return;
    const top = this.map.latLngToContainerPoint(layer.getBounds().getNorthWest()).y;
    const wardTop = this.box.getBoundingClientRect().top + Math.max(top, 0);
    const shift = Math.min(below + 8, wardTop - 8);
    if (shift <= 0) return;
    let scroller = this.root.parentElement;
    const scrolls = (el) => el.scrollHeight > el.clientHeight
      && /(auto|scroll)/.test(getComputedStyle(el).overflowY);
    while (scroller && !scrolls(scroller)) scroller = scroller.parentElement;
    (scroller || document.scrollingElement).scrollBy(0, shift);
  }

  onBlur(code) {
    if (this.ring) this.map.removeLayer(this.ring);
    this.ring = null;
    this.details.hidden = true;
  }

  setAreas(spec) {
    // Local-authority outlines and names: rebuilt only when they change.
    const key = spec ? spec.key : null;
    if (key === this.areasKey) return;
    if (this.areas) this.map.removeLayer(this.areas);
    this.areas = null;
    this.areasKey = key;
    if (!spec) return;
    const data = JSON.parse(spec.geometry);
    const parts = data.codes.map((code, i) =>
      L.polygon(data.rings[i].map((poly) => poly.map(hotspotsDecodeRing)), AREA_STYLE));
    (spec.names || []).forEach((name, i) => {
      const marker = L.tooltip({permanent: true, direction: "center",
                                className: "ward-map-area-name", interactive: false})
        .setLatLng(spec.points[i]).setContent(name);
      parts.push(marker);
    });
    this.areas = L.layerGroup(parts).addTo(this.map);
  }

  setOverlay(spec) {
    const map = this.map;
    if (this.overlay) {
      map.removeLayer(this.overlay);
      if (this.layers) this.layers.removeLayer(this.overlay);
    }
    this.overlay = null;
    if (!spec) return;
    this.overlay = L.layerGroup(spec.codes.filter((c) => this.wards[c])
      .map((c) => L.polygon(this.wards[c].getLatLngs(), OVERLAY_STYLE)));
    this.overlay.addTo(map);
    if (this.layers) this.layers.addOverlay(this.overlay, spec.name);
  }

  setLegend(html) {
    // Under the map, never over it.
    this.legendBox.innerHTML = html || "";  // escaped by map_file.legend_html
    this.legendBox.hidden = !html;
  }

  setTiles(spec) {
    if (!spec || spec.url === this.tilesUrl) return;
    this.tilesUrl = spec.url;
    this.tiles = L.tileLayer(spec.url, {attribution: spec.attribution});
    if (spec.on) this.tiles.addTo(this.map);
    this.layers = L.control.layers(null, {}, {collapsed: false}).addTo(this.map);
    this.layers.addOverlay(this.tiles, spec.name);
  }

  render(args) {
    if (!times.firstRender) times.firstRender = performance.now();
    this.text = Object.assign({}, DEFAULT_TEXT, args.text || {});
    this.root.setAttribute("aria-label", this.text.region);
    this.skip.textContent = this.text.skip;
    this.skipTo = args.skip_to || null;
    this.skip.hidden = !this.skipTo;
    const height = (args.height || 560) + "px";
    if (this.box.style.height !== height) {
      this.box.style.height = height;
      if (this.map) this.map.invalidateSize();
    }
    if (!this.map) {
      // keyboard: false: the wards, not the map's box, are the keyboard's way in.
      this.map = L.map(this.box, {zoomSnap: 0.25, attributionControl: true, keyboard: false});
      this.map.createPane("wardFocus").style.zIndex = 450;
      this.map.getPane("wardFocus").setAttribute("aria-hidden", "true");
      L.control.scale().addTo(this.map);
      window.map = this.map;  // for tests and debugging
      this.box.addEventListener("keydown", (e) => { if (e.key === "Escape") this.closeTips(); });
      document.addEventListener("keydown", (e) => { if (e.key === "Escape") this.closeTips(); });
    }
    this.setTiles(args.tiles);
    this.fields = args.fields || [];
    this.values = {};
    this.labels = {};
    this.classOf = {};
    this.classLabels = args.class_labels || [];
    const fill = {};
    (args.codes || []).forEach((code, i) => {
      this.values[code] = args.values[i];
      fill[code] = args.fill[i];
      if (args.labels) this.labels[code] = args.labels[i];
      if (args.classes) this.classOf[code] = args.classes[i];
    });
    if (args.geometry_key !== this.geometryKey) {
      this.buildWards(args.geometry, fill, args.bounds);  // drawn in their colours at once
      this.geometryKey = args.geometry_key;
    } else {
      Object.entries(this.wards).forEach(([code, layer]) => {
        layer.setStyle({fillColor: fill[code] || NO_DATA});
      });
      this.initKeyboard();
    }
    Object.entries(this.wards).forEach(([code, layer]) => {
      const el = layer.getElement();
      if (el) el.setAttribute("aria-label", this.name(code));
    });
    this.setAreas(args.areas);
    this.setOverlay(args.overlay);
    this.setLegend(args.legend);
    if (args.focus && args.focus !== this.focusDone && this.wards[args.focus]) {
      this.focusDone = args.focus;
      this.focusWard(args.focus, true);
    }
    this.root.setAttribute("data-wards", String(Object.keys(this.wards).length));
    if (!times.firstDrawn) times.firstDrawn = performance.now();
  }

  remove() {
    if (this.map) this.map.remove();
    this.root.remove();
    if (window.map === this.map) window.map = undefined;
  }
}

export default function (component) {
  const {parentElement, setTriggerValue} = component;
  // dashboard.map_component.map_data sends JSON text (its large part is cached as text).
  const data = typeof component.data === "string" ? JSON.parse(component.data)
                                                  : component.data;
  let ward = MAPS.get(parentElement);
  if (!ward) {
    ward = new WardMap(parentElement);
    MAPS.set(parentElement, ward);
  }
  const generation = ward.generation = (ward.generation || 0) + 1;
  ward.trigger = setTriggerValue;
  ward.latest = data;
  const drawn = () => {
    if (data.notify_drawn && !ward.notified) {
      ward.notified = true;
      setTriggerValue("drawn", true);
    }
  };
  loadLeaflet(data.leaflet).then(() => {
    // Runs can overtake a slow first load: draw only the latest data, once.
    if (ward.latest === data && MAPS.get(parentElement) === ward) {
      ward.render(data);
      drawn();
    }
  }).catch((err) => {
    ward.box.textContent = "The map could not be drawn: " + err.message;
    drawn();
  });
  // Streamlit keeps the cleanup of the latest call for unmounting, and runs a call's
  // cleanup at once when a newer run overtook it: only the latest call may remove.
  return () => {
    if (ward.generation !== generation) return;
    ward.remove();
    MAPS.delete(parentElement);
  };
}
