// The ward map: a Streamlit component (protocol v1, no build step, no CDN).
//
// Python (dashboard/maps.py) sends, on every run of the page:
//   geometry      JSON string {"codes": [...], "rings": [[[polyline, ...], ...], ...]}
//                 (Google polylines, 5 d.p., lat then lng; one list of polygons per ward)
//   geometry_key  changes only when the geometry does: the wards are rebuilt and the map
//                 refitted only then, so restyling keeps the user's zoom and position
//   bounds        [[south, west], [north, east]]
//   codes, fill   ward codes and their "#rrggbb" fill colours
//   fields        [[key, label], ...] and values: one list per ward, in fields' order
//   overlay       null or {"name": ..., "codes": [...]}: dashed outlines, not clickable
//   legend        pre-escaped legend HTML (dashboard.maps.legend_html) or null
//   tiles         null or {"url", "attribution", "name"}: a base map, off until chosen
//   height        pixels
// and gets back {"ward": code, "click": n} when a ward is clicked (nothing otherwise,
// so drawing the map never makes the page run again).
(function () {
  "use strict";
  var WARD_STYLE = {color: "#636363", weight: 0.6, opacity: 1.0, fillOpacity: 0.8};
  var HOVER_STYLE = {color: "#000000", weight: 2.5};
  var OVERLAY_STYLE = {color: "#1b1b1b", weight: 2.5, dashArray: "5 4", fill: false,
                       opacity: 1.0, interactive: false};
  var NO_DATA = "#d9d9d9";

  var map = null, wards = {}, geometryKey = null, overlay = null, legend = null;
  var tiles = null, layers = null, fields = [], values = {}, lastHeight = null;
  var clicks = 0, session = Date.now();
  // Milestones (ms since the frame's navigation started), for benchmarks.
  var times = window.__wardMapTimes = {script: performance.now()};

  function send(type, data) {
    var msg = {isStreamlitMessage: true, type: type};
    for (var k in data) msg[k] = data[k];
    window.parent.postMessage(msg, "*");
  }

  function decode(s) {
    var i = 0, lat = 0, lng = 0, pts = [];
    while (i < s.length) {
      var b, shift = 0, r = 0;
      do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << shift; shift += 5; } while (b >= 32);
      lat += (r & 1) ? ~(r >> 1) : (r >> 1);
      shift = 0; r = 0;
      do { b = s.charCodeAt(i++) - 63; r |= (b & 31) << shift; shift += 5; } while (b >= 32);
      lng += (r & 1) ? ~(r >> 1) : (r >> 1);
      pts.push([lat / 1e5, lng / 1e5]);
    }
    return pts;
  }

  function text(v) {
    if (v === null || v === undefined) return "";
    if (typeof v === "number") return v.toLocaleString("en-GB");
    return String(v);
  }

  function tooltip(layer) {
    // Built from text nodes: names and uploaded strings can never become markup.
    var row = values[layer.wardCode] || [];
    var box = document.createElement("div");
    box.className = "ward-map-tip";
    fields.forEach(function (f, j) {
      var line = document.createElement("div"), label = document.createElement("b");
      label.textContent = f[1];
      line.appendChild(label);
      line.appendChild(document.createTextNode(" " + text(row[j])));
      box.appendChild(line);
    });
    return box;
  }

  function buildWards(geometry) {
    var data = JSON.parse(geometry);
    Object.keys(wards).forEach(function (code) { map.removeLayer(wards[code]); });
    wards = {};
    data.codes.forEach(function (code, i) {
      var polygons = data.rings[i].map(function (poly) { return poly.map(decode); });
      var layer = L.polygon(polygons, Object.assign({fillColor: NO_DATA}, WARD_STYLE));
      layer.wardCode = code;
      layer.feature = {type: "Feature", properties: {ward_code: code}};
      layer.bindTooltip(tooltip, {sticky: true});
      layer.on({
        mouseover: function (e) { e.target.setStyle(HOVER_STYLE); },
        mouseout: function (e) {
          e.target.setStyle({color: WARD_STYLE.color, weight: WARD_STYLE.weight});
        },
        click: function () {
          clicks += 1;
          send("streamlit:setComponentValue",
               {value: {ward: code, click: session + ":" + clicks}, dataType: "json"});
        }
      });
      layer.addTo(map);
      wards[code] = layer;
    });
  }

  function setOverlay(spec) {
    if (overlay) { map.removeLayer(overlay); if (layers) layers.removeLayer(overlay); }
    overlay = null;
    if (!spec) return;
    overlay = L.layerGroup(spec.codes.filter(function (c) { return wards[c]; })
      .map(function (c) { return L.polygon(wards[c].getLatLngs(), OVERLAY_STYLE); }));
    overlay.addTo(map);
    if (layers) layers.addOverlay(overlay, spec.name);
  }

  function setLegend(html) {
    if (legend) map.removeControl(legend);
    legend = null;
    if (!html) return;
    legend = L.control({position: "bottomright"});
    legend.onAdd = function () {
      var div = L.DomUtil.create("div", "ward-map-legend");
      div.innerHTML = html;  // escaped by dashboard.maps.legend_html
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    legend.addTo(map);
  }

  function render(args) {
    if (!times.firstRender) times.firstRender = performance.now();
    var height = args.height || 560;
    if (height !== lastHeight) {
      document.getElementById("map").style.height = height + "px";
      send("streamlit:setFrameHeight", {height: height});
      lastHeight = height;
      if (map) map.invalidateSize();
    }
    if (!map) {
      map = L.map("map", {zoomSnap: 0.25, attributionControl: true});
      L.control.scale().addTo(map);
      window.map = map;  // for tests and debugging
    }
    if (args.tiles && !tiles) {
      tiles = L.tileLayer(args.tiles.url, {attribution: args.tiles.attribution});
      layers = L.control.layers(null, {}, {collapsed: false}).addTo(map);
      layers.addOverlay(tiles, args.tiles.name);
    }
    fields = args.fields || [];
    values = {};
    var fill = {};
    (args.codes || []).forEach(function (code, i) {
      values[code] = args.values[i];
      fill[code] = args.fill[i];
    });
    if (args.geometry_key !== geometryKey) {
      buildWards(args.geometry);
      geometryKey = args.geometry_key;
      map.fitBounds(args.bounds);
    }
    Object.keys(wards).forEach(function (code) {
      wards[code].setStyle({fillColor: fill[code] || NO_DATA});
    });
    setOverlay(args.overlay);
    setLegend(args.legend);
    document.body.setAttribute("data-wards", String(Object.keys(wards).length));
    if (!times.firstDrawn) times.firstDrawn = performance.now();
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (data && data.type === "streamlit:render") render(data.args);
  });
  send("streamlit:componentReady", {apiVersion: 1});
  times.ready = performance.now();
})();
