// The live board: a WebSocket pushes numbered updates; each one refreshes the board's live part (server-
// rendered HTML) and the map. A reconnecting board says which number it saw last and gets what it missed
// (no update lost, none applied twice). Without WebSockets htmx polls the live part every 10 s.
// Keyboard: j/k next/previous incident, a acknowledge, d dispatch, Enter open, m silence.
(function () {
  "use strict";

  var live = document.getElementById("ops-live");
  if (!live) { return; }
  var status = document.getElementById("ops-connection");
  var seen = {};
  var contiguous = parseInt(live.dataset.lastSeq || "0", 10) || 0;
  var socket = null;
  var retry = 1000;
  var refreshTimer = null;
  var mapTimer = null;
  var muted = false;
  var selected = null;

  function setState(state) {
    if (!status) { return; }
    status.dataset.state = state;
    status.textContent = state === "live" ? status.dataset.labelLive : status.dataset.labelPolling;
    window.anttOpsLive = state === "live";
  }

  // htmx polls only while the socket is down.
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    if (window.anttOpsLive && evt.detail.elt === live) { evt.preventDefault(); }
  });
  document.body.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.elt === live) { afterRender(); }
  });

  function refresh() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      fetch(live.dataset.liveUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html === null) { return; }
          live.innerHTML = html;
          afterRender();
        })
        .catch(function () { /* the next update or poll tries again */ });
    }, 80);
    clearTimeout(mapTimer);
    mapTimer = setTimeout(loadMap, 700);
  }

  function afterRender() {
    document.body.dataset.opsSeq = String(contiguous);
    if (selected) {
      var row = live.querySelector('[data-incident="' + selected + '"]');
      if (row) { select(row); }
    }
    alarm();
  }

  function apply(update) {
    if (seen[update.seq]) { return false; }
    seen[update.seq] = true;
    while (seen[contiguous + 1]) { contiguous += 1; }
    if (update.kind === "incident" && update.data && update.data.new && update.data.priority === 1) { beep(2); }
    return true;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + location.host + live.dataset.socketPath);
    } catch (e) {
      setState("polling");
      return;
    }
    socket.onopen = function () {
      retry = 1000;
      setState("live");
      socket.send(JSON.stringify({ type: "hello", since: contiguous }));
    };
    socket.onmessage = function (evt) {
      var msg;
      try { msg = JSON.parse(evt.data); } catch (e) { return; }
      var changed = false;
      if (msg.type === "catchup") {
        (msg.updates || []).forEach(function (u) { changed = apply(u) || changed; });
        if (msg.last > contiguous && !(msg.updates || []).length) { contiguous = msg.last; changed = true; }
      } else if (msg.type === "update") {
        changed = apply(msg);
        if (msg.seq > contiguous + 1) {  // a hole: ask for what is missing
          socket.send(JSON.stringify({ type: "hello", since: contiguous }));
        }
      }
      if (changed) { refresh(); }
      document.body.dataset.opsSeq = String(contiguous);
    };
    socket.onclose = function () {
      setState("polling");
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10000);
    };
  }

  // --- sound: SOS rings until acknowledged; a new P1 beeps twice -------------------------------------
  var audio = null;
  var ringing = null;
  function beep(times) {
    if (muted) { return; }
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      for (var i = 0; i < times; i += 1) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.frequency.value = 880;
        gain.gain.value = 0.2;
        osc.connect(gain);
        gain.connect(audio.destination);
        osc.start(audio.currentTime + i * 0.35);
        osc.stop(audio.currentTime + i * 0.35 + 0.2);
      }
    } catch (e) { /* no audio: the SOS stays pinned and red */ }
  }
  function alarm() {
    var sos = live.querySelector('[data-alarm="sos"]');
    document.body.dataset.opsAlarm = sos ? "sos" : "";
    if (sos && !ringing) {
      beep(3);
      ringing = setInterval(function () { beep(3); }, 4000);
    } else if (!sos && ringing) {
      clearInterval(ringing);
      ringing = null;
    }
  }

  // --- keyboard ---------------------------------------------------------------------------------------
  function rows() { return Array.prototype.slice.call(live.querySelectorAll(".ops-row")); }
  function select(row) {
    rows().forEach(function (r) { r.classList.remove("selected"); r.removeAttribute("aria-selected"); });
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    selected = row.dataset.incident;
    row.focus({ preventScroll: false });
  }
  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.findIndex(function (r) { return r.dataset.incident === selected; });
    select(all[Math.max(0, Math.min(all.length - 1, index + step))] || all[0]);
  }
  document.addEventListener("keydown", function (evt) {
    var tag = (evt.target.tagName || "").toLowerCase();
    if (evt.ctrlKey || evt.metaKey || evt.altKey || tag === "input" || tag === "select" || tag === "textarea") { return; }
    var row = selected ? live.querySelector('[data-incident="' + selected + '"]') : null;
    if (evt.key === "j") { move(1); evt.preventDefault(); }
    else if (evt.key === "k") { move(-1); evt.preventDefault(); }
    else if (evt.key === "m") { muted = !muted; if (ringing) { clearInterval(ringing); ringing = null; } }
    else if (evt.key === "a") {
      var target = row || live.querySelector(".ops-sos .ops-row");
      var button = target && target.querySelector('[data-key="acknowledge"]');
      if (button) { button.click(); evt.preventDefault(); }
    } else if (evt.key === "d" && row) {
      var link = row.querySelector('[data-key="dispatch"]');
      if (link) { location.href = link.href; }
    } else if (evt.key === "Enter" && row && row.dataset.url && evt.target === row) {
      location.href = row.dataset.url;
    }
  });

  // --- map ----------------------------------------------------------------------------------------------
  var mapNode = document.getElementById("ops-map");
  var map = null;
  var layers = null;
  var COLOURS = { left: "#c62828", absent: "#c62828", late: "#e69100", present: "#2e7d32", idle: "#6b7280" };
  var PRIORITY = { 1: "#b71c1c", 2: "#e65100", 3: "#f9a825", 4: "#546e7a" };

  function popupText(p) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.layer === "incident" ? p.label + " P" + p.priority : (p.code || "");
    box.appendChild(title);
    var text = document.createElement("p");
    text.textContent = p.layer === "incident" ? p.name + " · " + p.status_label
      : p.layer === "post" ? p.name + " · " + p.state_label + " · " + p.present + "/" + p.required : "";
    box.appendChild(text);
    if (p.url) {
      var a = document.createElement("a");
      a.href = p.url;
      a.textContent = p.label;
      box.appendChild(a);
    }
    return box;
  }

  function loadMap() {
    if (!map) { return; }
    fetch(mapNode.dataset.features, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        layers.posts.clearLayers();
        layers.positions.clearLayers();
        layers.incidents.clearLayers();
        var bounds = [];
        data.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          var latlng = [c[1], c[0]];
          var p = f.properties;
          var marker;
          if (p.layer === "incident") {
            marker = L.circleMarker(latlng, { radius: p.sos ? 12 : 9, color: "#000", weight: 2, fillColor: PRIORITY[p.priority] || "#000", fillOpacity: 1 });
            layers.incidents.addLayer(marker.bindPopup(popupText(p)));
          } else if (p.layer === "post") {
            marker = L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1, fillColor: COLOURS[p.state] || "#6b7280", fillOpacity: 0.95 });
            layers.posts.addLayer(marker.bindPopup(popupText(p)));
          } else {
            marker = L.circleMarker(latlng, { radius: 4, color: p.committed ? "#c62828" : "#1565c0", weight: 1, fillOpacity: 0.8 });
            layers.positions.addLayer(marker);
          }
          bounds.push(latlng);
        });
        if (bounds.length && !map._anttFitted) {
          map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
          map._anttFitted = true;
        }
      })
      .catch(function () { /* the board's lists carry the same information */ });
  }

  function startMap() {
    if (!mapNode || typeof L === "undefined") { return; }
    map = L.map(mapNode, { zoomSnap: 0.5, maxZoom: 19 });
    map.attributionControl.setPrefix(false);
    if (mapNode.dataset.tileUrl) {
      L.tileLayer(mapNode.dataset.tileUrl, { maxZoom: 19, attribution: mapNode.dataset.tileAttribution || "" }).addTo(map);
    }
    map.setView([16.0, 108.2], 12);
    var cluster = typeof L.markerClusterGroup === "function"
      ? function () { return L.markerClusterGroup({ disableClusteringAtZoom: 17, chunkedLoading: true }); }
      : function () { return L.layerGroup(); };
    layers = { posts: cluster(), positions: cluster(), incidents: L.layerGroup() };
    layers.posts.addTo(map);
    layers.positions.addTo(map);
    layers.incidents.addTo(map);
    var overlays = {};
    overlays[mapNode.dataset.labelPosts] = layers.posts;
    overlays[mapNode.dataset.labelPositions] = layers.positions;
    overlays[mapNode.dataset.labelIncidents] = layers.incidents;
    L.control.layers(null, overlays).addTo(map);
    loadMap();
  }

  afterRender();
  if ("WebSocket" in window) { connect(); } else { setState("polling"); }
  try { startMap(); } catch (e) { /* the board's lists carry the same information */ }
})();
