// The map of sites and posts (Leaflet, vendored). Configuration comes from data- attributes of #map;
// the features from the page's GeoJSON endpoint. No inline script (CSP script-src 'self').
// The base map: an offline PMTiles file served by the app (protomaps-leaflet, data-pmtiles), a tile server
// (data-tile-url), or a blank grid. Sites carry a label; posts too from zoom 15. The first view fits the
// main group of sites (a far outlier does not squeeze the rest into a corner); "Show all" fits everything.
(function () {
  "use strict";

  var COLOURS = { gap: "#c62828", conflict: "#e69100", covered: "#2e7d32", none: "#6b7280" };

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function link(href, text) {
    var a = el("a", text);
    a.href = href;
    return a;
  }

  // Popup content built as DOM nodes with textContent: names never become markup.
  function popup(props, labels) {
    var box = el("div", null, "map-popup");
    box.appendChild(el("h3", props.name));
    box.appendChild(el("p", props.code + " · " + props.kind_label + (props.layer === "post" ? " · " + props.site : "")));
    var status = el("p");
    status.appendChild(el("span", props.status_label, "chip chip-" + props.status));
    box.appendChild(status);
    var counts = [];
    if (props.layer === "site") {
      counts.push(labels.posts + ": " + props.posts);
      counts.push(labels.items + ": " + props.items);
    }
    counts.push(labels.demand + ": " + props.demand);
    counts.push(labels.gaps + ": " + props.gaps);
    counts.push(labels.conflicts + ": " + props.conflicts);
    box.appendChild(el("p", counts.join(" · ")));
    var links = el("p");
    links.appendChild(link(props.gaps_url, labels.gapBoard));
    links.appendChild(document.createTextNode(" · "));
    links.appendChild(link(props.url, labels.site));
    box.appendChild(links);
    return box;
  }

  function style(feature) {
    var colour = COLOURS[feature.properties.status] || COLOURS.none;
    var line = feature.geometry.type === "LineString";
    return { color: colour, weight: line ? 5 : 2, opacity: 0.9, fillColor: colour, fillOpacity: 0.25 };
  }

  function point(feature, latlng) {
    var colour = COLOURS[feature.properties.status] || COLOURS.none;
    var isPost = feature.properties.layer === "post";
    return L.circleMarker(latlng, {
      radius: isPost ? 6 : 9, color: "#fff", weight: isPost ? 1 : 2, fillColor: colour, fillOpacity: 0.95
    });
  }

  function grid() {
    var Grid = L.GridLayer.extend({
      createTile: function () { return el("div", null, "map-grid-tile"); }
    });
    return new Grid({ tileSize: 128 });
  }

  function start(node) {
    var data = node.dataset;
    var labels = {
      posts: data.labelPosts, items: data.labelItems, demand: data.labelDemand, gaps: data.labelGaps,
      conflicts: data.labelConflicts, gapBoard: data.labelGapBoard, site: data.labelSite
    };
    var map = L.map(node, { preferCanvas: false, zoomSnap: 0.5 });
    map.attributionControl.setPrefix(false);
    if (data.pmtiles && window.protomapsL) {
      protomapsL.leafletLayer({ url: data.pmtiles, flavor: "light", lang: document.documentElement.lang || "vi",
        attribution: "© OpenStreetMap" }).addTo(map);
    } else if (data.tileUrl) {
      L.tileLayer(data.tileUrl, { maxZoom: 19, attribution: data.tileAttribution || "" }).addTo(map);
    } else {
      grid().addTo(map);
    }
    map.setView([Number(data.lat || 16.0), Number(data.lon || 108.2)], 10);
    var status = document.getElementById("map-status");
    fetch(data.features, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (collection) {
        var sites = L.geoJSON(null, { style: style, pointToLayer: point, onEachFeature: bind });
        var posts = L.geoJSON(null, { style: style, pointToLayer: point, onEachFeature: bind });
        collection.features.forEach(function (feature) {
          (feature.properties.layer === "post" ? posts : sites).addData(feature);
        });
        sites.addTo(map);
        posts.addTo(map);
        // Points with conflicts, then with gaps, on top: a red post is never hidden under a green one.
        ["conflict", "gap"].forEach(function (wanted) {
          [sites, posts].forEach(function (group) {
            group.eachLayer(function (layer) {
              var f = layer.feature;
              if (f.geometry.type === "Point" && f.properties.status === wanted) { layer.bringToFront(); }
            });
          });
        });
        var overlays = {};
        overlays[data.labelSitesLayer] = sites;
        overlays[data.labelPostsLayer] = posts;
        L.control.layers(null, overlays, { collapsed: false }).addTo(map);
        var all = sites.getBounds().extend(posts.getBounds());
        var main = mainBounds(sites, posts);
        if (main && main.isValid()) { map.fitBounds(main, { padding: [24, 24], maxZoom: 17 }); }
        if (all.isValid()) { addFitControl(map, all, main, data); }
        map.on("zoomend", function () { showPostLabels(map, posts); });
        showPostLabels(map, posts);
        node.setAttribute("data-features-loaded", String(collection.features.length));
        if (status) { status.textContent = data.labelLoaded.replace("{n}", String(collection.features.length)); }
      })
      .catch(function () {
        node.setAttribute("data-features-loaded", "error");
        if (status) { status.textContent = data.labelFailed; }
      });

    function bind(feature, layer) {
      layer.bindPopup(function () { return popup(feature.properties, labels); });
      // Labels are nodes (Leaflet would parse a string as HTML). Sites: always shown; posts: from zoom 15.
      var isPost = feature.properties.layer === "post";
      layer.bindTooltip(el("span", feature.properties.name), {
        permanent: !isPost, direction: "right", offset: [8, 0], className: isPost ? "map-label map-label-post" : "map-label"
      });
    }
  }

  // The centre of each feature; the main group is every feature within 4 times the median distance from
  // the median point (so one far point does not decide the view). Null when there is nothing to fit.
  function mainBounds(sites, posts) {
    var centres = [];
    [sites, posts].forEach(function (group) {
      group.eachLayer(function (layer) {
        var centre = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
        centres.push({ c: centre, layer: layer });
      });
    });
    if (!centres.length) { return null; }
    function median(values) {
      var sorted = values.slice().sort(function (a, b) { return a - b; });
      var mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
    var middle = L.latLng(median(centres.map(function (x) { return x.c.lat; })),
                          median(centres.map(function (x) { return x.c.lng; })));
    var distances = centres.map(function (x) { return middle.distanceTo(x.c); });
    var limit = Math.max(4 * median(distances), 2000);  // metres; never tighter than 2 km
    var bounds = L.latLngBounds([]);
    centres.forEach(function (x, i) {
      if (distances[i] <= limit) { bounds.extend(x.layer.getBounds ? x.layer.getBounds() : x.c); }
    });
    return bounds;
  }

  function showPostLabels(map, posts) {
    var show = map.getZoom() >= 15;
    posts.eachLayer(function (layer) {
      if (show) { layer.openTooltip(); } else { layer.closeTooltip(); }
      var tip = layer.getTooltip();
      if (tip) { tip.options.permanent = show; }
    });
  }

  function addFitControl(map, all, main, data) {
    var Control = L.Control.extend({
      onAdd: function () {
        var box = el("div", null, "leaflet-bar map-fit");
        var everything = el("button", data.labelShowAll);
        everything.type = "button";
        everything.addEventListener("click", function () { map.fitBounds(all, { padding: [24, 24] }); });
        box.appendChild(everything);
        if (main && main.isValid() && !main.equals(all)) {
          var group = el("button", data.labelShowMain);
          group.type = "button";
          group.addEventListener("click", function () { map.fitBounds(main, { padding: [24, 24], maxZoom: 17 }); });
          box.appendChild(group);
        }
        L.DomEvent.disableClickPropagation(box);
        return box;
      }
    });
    new Control({ position: "topleft" }).addTo(map);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("map");
    if (node && window.L) { start(node); }
  });
})();
