// Draw an alert's polygon on the map (Leaflet, vendored): each click adds a point; "Close the polygon"
// repeats the first point as the last and writes {"polygon": [[lat, lon], ...]} into the form's area
// field. Configuration from data- attributes of #alert-map; no inline script (CSP script-src 'self').
(function () {
  "use strict";

  function start() {
    var node = document.getElementById("alert-map");
    var field = document.getElementById("a-area");
    if (!node || !field || typeof L === "undefined") { return; }
    var data = node.dataset;
    var map = L.map(node, { zoomSnap: 0.5 }).setView([parseFloat(data.lat), parseFloat(data.lon)], 13);
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
    } else {
      var Grid = L.GridLayer.extend({
        createTile: function () { var d = document.createElement("div"); d.className = "map-grid-tile"; return d; }
      });
      new Grid({ tileSize: 128 }).addTo(map);
    }
    var points = [];
    var line = L.polyline([], { color: "#c62828" }).addTo(map);
    var shape = null;
    map.on("click", function (e) {
      if (shape) { map.removeLayer(shape); shape = null; points = []; }
      points.push([Number(e.latlng.lat.toFixed(6)), Number(e.latlng.lng.toFixed(6))]);
      line.setLatLngs(points);
    });
    document.getElementById("alert-map-close").addEventListener("click", function () {
      if (points.length < 3) { return; }
      var ring = points.concat([points[0]]);
      field.value = JSON.stringify({ polygon: ring });
      line.setLatLngs([]);
      shape = L.polygon(points, { color: "#c62828" }).addTo(map);
    });
    document.getElementById("alert-map-clear").addEventListener("click", function () {
      points = []; line.setLatLngs([]); field.value = "";
      if (shape) { map.removeLayer(shape); shape = null; }
    });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
