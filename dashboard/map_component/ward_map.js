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
//   notify_drawn  true: set the trigger value "drawn" once this map is drawn (or could
//                 not be), so the page runs again (pages/map.py draws a session's first
//                 map before its controls)
// and sets the trigger value "ward" (the ward code) when a ward is clicked — nothing
// else, so drawing, panning and zooming never make the page run again.
//
// Streamlit calls the default export on every run whose data changed, with the same
// parentElement; the map lives on in MAPS between calls and is removed on unmount.

const WARD_STYLE = {color: "#636363", weight: 0.6, opacity: 1.0, fillOpacity: 0.8};
const HOVER_STYLE = {color: "#000000", weight: 2.5};
const OVERLAY_STYLE = {color: "#1b1b1b", weight: 2.5, dashArray: "5 4", fill: false,
                       opacity: 1.0, interactive: false};
const NO_DATA = "#d9d9d9";
const MAPS = new WeakMap();

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
    this.box = document.createElement("div");
    this.box.className = "ward-map";
    this.box.setAttribute("role", "region");
    this.box.setAttribute("aria-label", "Map of wards");
    this.box.setAttribute("data-testid", "wardMap");
    parent.appendChild(this.box);
    this.map = null;
    this.wards = {};
    this.group = null;
    this.geometryKey = null;
    this.overlay = null;
    this.legend = null;
    this.tiles = null;
    this.layers = null;
    this.fields = [];
    this.values = {};
    this.trigger = null;
  }

  tooltip(layer) {
    // Built from text nodes: names and uploaded strings can never become markup.
    const row = this.values[layer.wardCode] || [];
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

  buildWards(geometry, fill, bounds) {
    // One feature group: one tooltip and one set of listeners for every ward (Leaflet
    // hands them the ward's layer) rather than one each; the view is set before the
    // wards are added, so they are drawn as they are added.
    const data = JSON.parse(geometry), map = this.map;
    if (this.group) map.removeLayer(this.group);
    this.wards = {};
    const layers = data.codes.map((code, i) => {
      const layer = L.polygon(data.rings[i].map((poly) => poly.map(hotspotsDecodeRing)),
                              Object.assign({fillColor: fill[code] || NO_DATA}, WARD_STYLE));
      layer.wardCode = code;
      layer.feature = {type: "Feature", properties: {ward_code: code}};
      this.wards[code] = layer;
      return layer;
    });
    this.group = L.featureGroup(layers)
      .bindTooltip((layer) => this.tooltip(layer), {sticky: true})
      .on({
        mouseover: (e) => e.layer.setStyle(HOVER_STYLE),
        mouseout: (e) => e.layer.setStyle({color: WARD_STYLE.color, weight: WARD_STYLE.weight}),
        click: (e) => { if (this.trigger) this.trigger("ward", e.layer.wardCode); },
      });
    map.fitBounds(bounds);
    this.group.addTo(map);
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
    if (this.legend) this.map.removeControl(this.legend);
    this.legend = null;
    if (!html) return;
    this.legend = L.control({position: "bottomright"});
    this.legend.onAdd = () => {
      const div = L.DomUtil.create("div", "ward-map-legend");
      div.innerHTML = html;  // escaped by dashboard.map_component.legend_html
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    this.legend.addTo(this.map);
  }

  render(args) {
    if (!times.firstRender) times.firstRender = performance.now();
    const height = (args.height || 560) + "px";
    if (this.box.style.height !== height) {
      this.box.style.height = height;
      if (this.map) this.map.invalidateSize();
    }
    if (!this.map) {
      this.map = L.map(this.box, {zoomSnap: 0.25, attributionControl: true});
      L.control.scale().addTo(this.map);
      window.map = this.map;  // for tests and debugging
    }
    if (args.tiles && !this.tiles) {
      this.tiles = L.tileLayer(args.tiles.url, {attribution: args.tiles.attribution});
      this.layers = L.control.layers(null, {}, {collapsed: false}).addTo(this.map);
      this.layers.addOverlay(this.tiles, args.tiles.name);
    }
    this.fields = args.fields || [];
    this.values = {};
    const fill = {};
    (args.codes || []).forEach((code, i) => {
      this.values[code] = args.values[i];
      fill[code] = args.fill[i];
    });
    if (args.geometry_key !== this.geometryKey) {
      this.buildWards(args.geometry, fill, args.bounds);  // drawn in their colours at once
      this.geometryKey = args.geometry_key;
    } else {
      Object.entries(this.wards).forEach(([code, layer]) => {
        layer.setStyle({fillColor: fill[code] || NO_DATA});
      });
    }
    this.setOverlay(args.overlay);
    this.setLegend(args.legend);
    this.box.setAttribute("data-wards", String(Object.keys(this.wards).length));
    if (!times.firstDrawn) times.firstDrawn = performance.now();
  }

  remove() {
    if (this.map) this.map.remove();
    this.box.remove();
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
