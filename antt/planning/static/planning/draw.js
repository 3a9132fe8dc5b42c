// Drawing a site's outline or placing a post on the map (Leaflet + Leaflet-Geoman, vendored).
// Progressive: the geometry lives in the form's GeoJSON textarea; the map reads it on load and writes it
// after every drawing or edit, so the form works (by typing GeoJSON) without JavaScript too.
// Configuration from data- attributes of [data-draw-map]; the buttons are the page's own (labelled,
// translated), not Geoman's toolbar. No inline script (CSP script-src 'self').
(function () {
  "use strict";

  var OTHER = { color: "#6b7280", weight: 2, opacity: 0.8, fillOpacity: 0.1, dashArray: "4 4" };
  var MINE = { color: "#1d4ed8", weight: 3, opacity: 1, fillOpacity: 0.25 };

  function grid() {
    var Grid = L.GridLayer.extend({
      createTile: function () {
        var tile = document.createElement("div");
        tile.className = "map-grid-tile";
        return tile;
      }
    });
    return new Grid({ tileSize: 128 });
  }

  function parse(text) {
    if (!text || !text.trim()) { return null; }
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  function start(node) {
    var data = node.dataset;
    var field = document.getElementById(data.field);
    var status = document.getElementById(data.status);
    if (!field) { return; }
    var map = L.map(node, { zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
    } else {
      grid().addTo(map);
    }
    map.setView([Number(data.lat || 16.0), Number(data.lon || 108.2)], 13);
    map.pm.setGlobalOptions({ tooltips: false, snappable: false });

    var drawn = null;  // the one layer this form edits

    function say(text) { if (status && text) { status.textContent = text; } }

    function write() {
      field.value = drawn ? JSON.stringify(drawn.toGeoJSON().geometry) : "";
      node.setAttribute("data-geometry", drawn ? drawn.toGeoJSON().geometry.type : "");
    }

    function adopt(layer) {
      if (drawn && drawn !== layer) { map.removeLayer(drawn); }
      drawn = layer;
      if (layer.setStyle) { layer.setStyle(MINE); }
      layer.on("pm:edit pm:dragend", write);
      write();
    }

    function load() {
      var geometry = parse(field.value);
      if (!geometry) { return; }
      var group = L.geoJSON(geometry, { style: MINE });
      group.eachLayer(function (layer) { layer.addTo(map); adopt(layer); });
      var bounds = group.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 }); }
    }

    map.on("pm:create", function (ev) {
      adopt(ev.layer);
      say(data.labelDrawn);
    });

    document.querySelectorAll("[data-draw]").forEach(function (button) {
      button.addEventListener("click", function () {
        map.pm.disableGlobalEditMode();
        map.pm.enableDraw(button.getAttribute("data-draw"), { tooltips: false, continueDrawing: false });
        say(button.getAttribute("data-hint"));
      });
    });
    var edit = document.querySelector("[data-draw-edit]");
    if (edit) {
      edit.addEventListener("click", function () {
        map.pm.toggleGlobalEditMode();
        say(map.pm.globalEditModeEnabled() ? edit.getAttribute("data-hint") : data.labelDrawn);
        write();
      });
    }
    var clear = document.querySelector("[data-draw-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        map.pm.disableDraw();
        map.pm.disableGlobalEditMode();
        if (drawn) { map.removeLayer(drawn); drawn = null; }
        write();
        say(clear.getAttribute("data-hint"));
      });
    }
    field.addEventListener("change", function () {
      if (drawn) { map.removeLayer(drawn); drawn = null; }
      load();
    });

    // The event's other sites and posts, for reference (not editable).
    if (data.features) {
      fetch(data.features, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (response) { return response.ok ? response.json() : { features: [] }; })
        .then(function (collection) {
          var skip = data.skip || "";
          var others = L.geoJSON(null, {
            style: function () { return OTHER; },
            pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 5, color: "#6b7280", weight: 1, fillOpacity: 0.6 }); },
            pmIgnore: true,
            onEachFeature: function (f, layer) {
              var label = document.createElement("span");
              label.textContent = f.properties.name;
              layer.bindTooltip(label);
            }
          });
          collection.features.forEach(function (f) {
            if (String(f.id) !== skip) { others.addData(f); }
          });
          others.addTo(map);
          if (!drawn) {
            var bounds = others.getBounds();
            if (bounds.isValid()) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 }); }
          }
          node.setAttribute("data-ready", "1");
        })
        .catch(function () { node.setAttribute("data-ready", "1"); });
    } else {
      node.setAttribute("data-ready", "1");
    }
    load();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.querySelector("[data-draw-map]");
    if (node && window.L && L.PM) {
      document.querySelectorAll(".draw-tools").forEach(function (el) { el.hidden = false; });
      start(node);
    }
  });
})();
