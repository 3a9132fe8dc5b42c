// The map of sites and posts (Leaflet, vendored). Configuration comes from data- attributes of #map;
// the features from the page's GeoJSON endpoint. No inline script (CSP script-src 'self').
// Without a tile URL the map draws a blank grid under the geometry.
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
    if (data.tileUrl) {
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
        var bounds = sites.getBounds().extend(posts.getBounds());
        if (bounds.isValid()) { map.fitBounds(bounds, { padding: [16, 16] }); }
        node.setAttribute("data-features-loaded", String(collection.features.length));
        if (status) { status.textContent = data.labelLoaded.replace("{n}", String(collection.features.length)); }
      })
      .catch(function () {
        node.setAttribute("data-features-loaded", "error");
        if (status) { status.textContent = data.labelFailed; }
      });

    function bind(feature, layer) {
      layer.bindPopup(function () { return popup(feature.properties, labels); });
      layer.bindTooltip(el("span", feature.properties.name));  // a node: Leaflet would parse a string as HTML
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("map");
    if (node && window.L) { start(node); }
  });
})();
