// ANTT field app: the outbox (IndexedDB, Idempotency-Key per entry, retries with backoff and jitter), orders,
// check-in with the post's rotating code, reports with photos resized on the phone, SOS, positions on duty.
const boot = JSON.parse(document.getElementById('boot').textContent);
const csrf = document.querySelector('meta[name=csrf-token]').content;
const msg = (k, n) => (document.getElementById('t-msg')?.content.querySelector(`[data-k="${k}"]`)?.textContent || k).replace('__N__', n);
const DB = 'antt-field';

function db() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('outbox', { keyPath: 'key' });
      req.result.createObjectStore('failed', { keyPath: 'key' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
async function tx(store, mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(store, mode);
    const out = fn(t.objectStore(store));
    t.oncomplete = () => resolve(out && 'result' in out ? out.result : out);
    t.onerror = () => reject(t.error);
  });
}
const all = (store) => tx(store, 'readonly', (s) => s.getAll());

let seq = Date.now();
export async function enqueue(path, body, { contentType = 'application/json', label = '' } = {}) {
  const entry = {
    key: crypto.randomUUID(), order: seq++, url: boot.api + path, contentType, label,
    body: contentType === 'application/json' ? JSON.stringify(body) : body, tries: 0, nextAt: 0,
  };
  await tx('outbox', 'readwrite', (s) => s.put(entry));
  show();
  flush();
  if (navigator.onLine === false) note(msg('queued'));
  return entry.key;
}

let flushing = false, again = null;
export async function flush(force = false) {
  if (flushing) { again = again || force; return; }  // run once more when the current pass ends
  flushing = true;
  try {
    const entries = (await all('outbox')).sort((a, b) => a.order - b.order);
    for (const e of entries) {
      if (!force && e.nextAt > Date.now()) continue;
      let r;
      try {
        r = await fetch(e.url, { method: 'POST', credentials: 'same-origin',
          headers: { 'Content-Type': e.contentType, 'Idempotency-Key': e.key, 'X-CSRFToken': csrf, Accept: 'application/json' },
          body: e.body });
      } catch (err) { await retry(e); break; }  // offline: keep the order, try later
      if (r.ok) { await tx('outbox', 'readwrite', (s) => s.delete(e.key)); continue; }
      if (r.status === 409 && (await r.clone().json().catch(() => ({}))).code === 'idempotency_in_progress'
          || r.status >= 500 || r.status === 429 || r.status === 408) { await retry(e); continue; }
      // A final refusal: shown to the officer, never dropped silently.
      const detail = (await r.json().catch(() => ({}))).detail || r.statusText;
      await tx('outbox', 'readwrite', (s) => s.delete(e.key));
      await tx('failed', 'readwrite', (s) => s.put({ ...e, status: r.status, detail }));
    }
  } finally {
    flushing = false; show();
    if (again !== null) { const f = again; again = null; flush(f); }
  }
}
async function retry(e) {
  e.tries += 1;
  const base = Math.min(60000, 1000 * 2 ** Math.min(e.tries, 6));
  e.nextAt = Date.now() + base / 2 + Math.random() * base / 2;  // backoff with jitter
  await tx('outbox', 'readwrite', (s) => s.put(e));
}
async function show() {
  const waiting = (await all('outbox')).length;
  const out = document.getElementById('outbox-status');
  if (out) { out.hidden = waiting === 0; out.textContent = msg('waiting', waiting); out.dataset.count = waiting; }
  const failed = await all('failed');
  const box = document.getElementById('failed');
  if (box) {
    box.hidden = failed.length === 0;
    box.querySelector('ul').replaceChildren(...failed.map((f) => {
      const li = document.createElement('li'); li.textContent = `${f.label}: ${f.detail}`; return li; }));
  }
  const net = document.getElementById('net');
  if (net) net.textContent = navigator.onLine === false ? msg('offline') : '';
}
function note(text) { const s = document.getElementById('outbox-status'); if (s) s.title = text; }

function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) return resolve({});
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy_m: p.coords.accuracy }),
      () => resolve({}), { enableHighAccuracy: true, timeout: 5000, maximumAge: 15000 });
  });
}
const now = () => new Date().toISOString();

// --- orders and check-in -------------------------------------------------------------------------------
function parseCode(text) {
  try {
    const u = new URL(text.trim(), location.href);
    const t = u.searchParams.get('t'), k = u.searchParams.get('k'), post = u.searchParams.get('post');
    if (t && k) return { code_step: Number(t), code: k, post: Number(post) };
    const e = u.searchParams.get('e'), c = u.searchParams.get('c');
    if (e && c) return { nfc_e: e, nfc_c: c };
  } catch (err) { /* not a URL */ }
  return null;
}
for (const section of document.querySelectorAll('.duty')) {
  const post = Number(section.dataset.post);
  const ack = section.querySelector('.ack');
  ack?.addEventListener('click', async () => {
    await enqueue('orders-ack/', { post, orders_digest: section.dataset.digest, device_time: now() }, { label: 'orders' });
    ack.disabled = true; section.dataset.acknowledged = '1';
  });
  const form = section.querySelector('.checkin');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const kind = ev.submitter?.value || 'in';
    const body = { post, kind, device_time: now(), ...(await position()) };
    const text = form.elements.code.value;
    if (text) {
      const proof = parseCode(text);
      if (!proof) { form.querySelector('.state').textContent = msg('bad-code'); return; }
      Object.assign(body, proof); body.post = post;
    }
    if (kind === 'in') body.orders_digest = section.dataset.digest;
    await enqueue('check-ins/', body, { label: 'check-in' });
    form.querySelector('.state').textContent = `${msg('sent')} ${new Date().toLocaleTimeString()}`;
    form.elements.code.value = '';
  });
  section.querySelector('.scan').addEventListener('click', () => scan(form.elements.code));
}
async function scan(input) {
  // Camera + jsQR (loaded only when needed, so the first load stays light).
  if (!window.jsQR) await new Promise((ok) => { const s = document.createElement('script'); s.src = document.body.dataset.jsqr; s.onload = ok; document.head.append(s); });
  const video = document.getElementById('camera');
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
  video.srcObject = stream; video.hidden = false; await video.play();
  const canvas = document.createElement('canvas');
  const tick = () => {
    canvas.width = video.videoWidth; canvas.height = video.videoHeight;
    const g = canvas.getContext('2d'); g.drawImage(video, 0, 0);
    const found = canvas.width && window.jsQR(g.getImageData(0, 0, canvas.width, canvas.height).data, canvas.width, canvas.height);
    if (found) { input.value = found.data; stream.getTracks().forEach((t) => t.stop()); video.hidden = true; return; }
    requestAnimationFrame(tick);
  };
  tick();
}

// --- incident report with photos resized on the phone (a canvas copy carries no EXIF) -------------------
async function resize(file, max = 1600) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return new Promise((ok) => canvas.toBlob(ok, 'image/jpeg', 0.8));
}
document.getElementById('report')?.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  // Read the form at once and clear it, so the officer can write the next report while this one is queued.
  const clientId = crypto.randomUUID();
  const body = { client_id: clientId, category: f.elements.category.value, text: f.elements.text.value,
    priority: f.elements.priority.value ? Number(f.elements.priority.value) : null, device_time: now() };
  const files = [...f.elements.photos.files].slice(0, 4);
  const label = f.elements.category.selectedOptions[0].text;
  f.reset();
  const duty = document.querySelector('.duty');
  if (duty) body.post = Number(duty.dataset.post);
  Object.assign(body, await position());
  await enqueue('reports/', body, { label: 'report' });
  for (const file of files) {
    const blob = await resize(file);
    await enqueue(`reports/${clientId}/photos/`, blob, { contentType: 'image/jpeg', label: 'photo' });
  }
  const li = document.createElement('li'); li.textContent = `${label} · ${msg('sent')}`;
  document.getElementById('sent').prepend(li);
});

// --- SOS: hold 2 s; position every 10 s until cancelled with the PIN --------------------------------------
let sosId = null, sosTimer = null, holdTimer = null;
const sosButton = document.getElementById('sos-button');
async function sosToggle() {
  const pin = document.querySelector('#sos [name=pin]').value;
  const state = document.getElementById('sos-state');
  if (!/^[0-9]{4,8}$/.test(pin)) { state.textContent = msg('need-pin'); return; }
  if (sosId === null) {
    const r = await fetch(boot.api + 'sos/', { method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': crypto.randomUUID(), 'X-CSRFToken': csrf },
      body: JSON.stringify({ pin, device_time: now(), ...(await position()) }) }).catch(() => null);
    if (!r || !r.ok) { await enqueue('sos/', { pin, device_time: now(), ...(await position()) }, { label: 'SOS' }); state.textContent = msg('queued'); return; }
    sosId = (await r.json()).id; state.textContent = msg('sos-on');
    sosTimer = setInterval(async () => { const p = await position(); if (p.lat !== undefined) enqueue(`sos/${sosId}/positions/`, { ...p, device_time: now() }, { label: 'SOS' }); }, 10000);
  } else {
    await enqueue(`sos/${sosId}/cancel/`, { pin }, { label: 'SOS' });
    clearInterval(sosTimer); sosId = null; state.textContent = msg('sos-off');
  }
}
sosButton?.addEventListener('pointerdown', () => { holdTimer = setTimeout(sosToggle, 2000); });
for (const e of ['pointerup', 'pointerleave', 'pointercancel']) sosButton?.addEventListener(e, () => clearTimeout(holdTimer));

// --- positions: only while a duty is running and I am checked in; every 30 s, sent in batches ------------
let points = [];
setInterval(async () => {
  const t = Date.now();
  const onDuty = boot.duties.some((d) => d.checkedIn && Date.parse(d.startsAt) <= t && t <= Date.parse(d.endsAt));
  if (!onDuty) { points = []; return; }
  const p = await position();
  if (p.lat === undefined) return;
  points.push({ ...p, device_time: now() });
  if (points.length >= 4) { const batch = points; points = []; enqueue('positions/', { points: batch }, { label: 'positions' }); }
}, 30000);

// --- the map of the post: Leaflet over a blank grid; tiles on top only when configured and online --------
function load(tag, attrs) {
  return new Promise((resolve, reject) => {
    const el = Object.assign(document.createElement(tag), attrs);
    el.onload = resolve; el.onerror = reject;
    document.head.append(el);
  });
}
async function drawMaps() {
  const boxes = [...document.querySelectorAll('.duty .postmap')];
  if (!boxes.length) return;
  try {
    await Promise.all([load('link', { rel: 'stylesheet', href: document.body.dataset.leafletCss }),
      load('script', { src: document.body.dataset.leaflet })]);
  } catch { return; }  // the drawn SVG stays
  const Grid = L.GridLayer.extend({ createTile() { return Object.assign(document.createElement('div'), { className: 'grid-tile' }); } });
  for (const box of boxes) {
    const duty = boot.duties.find((d) => String(d.assignment) === box.closest('.duty').dataset.assignment);
    if (!duty || !duty.geometry) continue;
    box.textContent = '';
    box.classList.add('live');
    const style = { color: '#0b3d91', weight: 3, fillOpacity: 0.25 };
    const shape = L.geoJSON(duty.geometry, { style, pointToLayer: (_f, at) => L.circleMarker(at, { ...style, radius: 7 }) });
    let bounds = shape.getBounds();
    const point = duty.radius && duty.geometry.type === 'Point';
    if (point) bounds = bounds.getCenter().toBounds(duty.radius * 2);  // where a check-in by position counts
    const map = L.map(box, { attributionControl: !!boot.tiles.url });
    map.fitBounds(bounds.pad(0.2), { maxZoom: 18 });  // a view first: layers need one
    new Grid({ tileSize: 128 }).addTo(map);
    if (boot.tiles.url && navigator.onLine !== false) {  // a tile that fails to load leaves the grid visible
      L.tileLayer(boot.tiles.url, { maxZoom: 19, attribution: boot.tiles.attribution }).addTo(map);
    }
    if (point) L.circle(bounds.getCenter(), { radius: duty.radius, color: '#0b3d91', weight: 1, dashArray: '4 4', fill: false }).addTo(map);
    shape.addTo(map);
  }
}
// After the page's load: the map never delays the first load (the drawn SVG shows until Leaflet is there).
if (document.readyState === 'complete') drawMaps(); else window.addEventListener('load', drawMaps);

// --- the code link: /field/?post=…&t=…&k=… opened by the phone's own camera app fills the form ------------
const opened = parseCode(location.href);
if (opened && opened.post) {
  const input = document.querySelector(`.duty[data-post="${opened.post}"] [name=code]`);
  if (input) input.value = location.href;
}

window.addEventListener('online', () => { show(); flush(true); });  // the network is back: try now
window.addEventListener('offline', show);
navigator.serviceWorker?.addEventListener('message', (e) => { if (e.data === 'flush') flush(); });
if ('serviceWorker' in navigator) navigator.serviceWorker.register(document.body.dataset.sw).catch(() => {});
window.anttOutbox = { flush, count: async () => (await all('outbox')).length, failed: () => all('failed') };
setInterval(() => { if (navigator.onLine !== false) flush(); }, 5000);
show();
flush();
