// The stadium page: @gradio/client (vendored) calls the app's queued endpoints; analysis first,
// then the coach streams in. No CDN: everything is served by the app itself.
import { Client } from "/ui/vendor/gradio-client-2.7.0.min.js";

const $ = (id) => document.getElementById(id);
const QUIPS = ["Lacing up the boots…", "Checking the offside line…", "Measuring the run-up…",
  "Asking the ball where it went…", "Consulting the goal-line camera…", "Timing the strike…",
  "Counting the stripes on the pitch…", "Warming up the keeper…"];
const NAMES = { knee: "Support knee", trunk: "Trunk lean", hip: "Hip drive" };
let app, session, busy = false, quipTimer = null;
window.kickyConfettiCount = 0;

function showError(msg) { const e = $("error"); e.textContent = msg; e.hidden = !msg; }
function loading(on) {
  $("loader").hidden = !on;
  clearInterval(quipTimer);
  if (on) {
    let i = Math.floor(Math.random() * QUIPS.length);
    $("quip").textContent = QUIPS[i];
    quipTimer = setInterval(() => { i = (i + 1) % QUIPS.length; $("quip").textContent = QUIPS[i]; }, 1800);
  }
}
function errText(err) {
  const m = (err && (err.message || (err.original_msg) || err.toString())) || "something went wrong";
  return String(m).replace(/^Error:\s*/, "");
}
function celebrate() {
  window.kickyConfettiCount += 1;
  if (typeof window.confetti === "function") {
    window.confetti({ particleCount: 160, spread: 80, origin: { y: 0.3 }, colors: ["#f9a825", "#ffffff", "#76ff03"] });
  }
}
function inline(text) {        // **bold** of the coach's markdown, safely (text nodes only)
  const frag = document.createDocumentFragment();
  text.split(/(\*\*[^*]+\*\*)/).forEach((part) => {
    if (/^\*\*[^*]+\*\*$/.test(part)) { const b = document.createElement("strong"); b.textContent = part.slice(2, -2); frag.append(b); }
    else if (part) frag.append(document.createTextNode(part));
  });
  return frag;
}
function showReport(r) {
  const v = $("verdict");
  v.textContent = r.verdict;
  v.className = "verdict " + (r.shot_found ? (r.goal ? "goal" : "miss") : "");
  $("shooter").textContent = r.shooter || "-";
  $("foot").textContent = r.foot || "-";
  $("speed").textContent = r.speed || "-";
  $("detector").textContent = r.detector ? `detections: ${r.detector}` : "";
  const ul = $("angles"); ul.replaceChildren();
  const names = Object.keys(r.angles || {});
  if (!names.length) { const li = document.createElement("li"); li.className = "muted"; li.textContent = r.pose || "not measured"; ul.append(li); }
  for (const k of names) {
    const a = r.angles[k], li = document.createElement("li");
    li.className = a.ok ? "ok" : "flag";
    const name = document.createElement("span"); name.textContent = NAMES[k] || k;
    const val = document.createElement("b"); val.textContent = `${Math.round(a.value)}° (${a.good[0]}–${a.good[1]}°)${a.ok ? "" : " ⚑"}`;
    li.append(name, val); ul.append(li);
  }
  const video = $("video");
  video.src = r.video; video.load(); video.play().catch(() => {});
}
async function runClip(clip) {
  if (busy) return;
  busy = true; showError("");
  const out = $("coach-text"); out.replaceChildren(); out.dataset.updates = "0"; out.dataset.done = "0";
  loading(true);
  try {
    const res = await app.predict("/analyze", { clip, session });
    const r = res.data[0];
    loading(false);
    showReport(r);
    if (r.goal) celebrate();
    const job = app.submit("/coach", { clip, session, backend: $("coach-backend").value });
    for await (const msg of job) {
      if (msg.type === "data") {
        out.replaceChildren(inline(msg.data[0]));
        out.dataset.updates = String(Number(out.dataset.updates) + 1);
      } else if (msg.type === "status" && msg.stage === "error") {
        showError(msg.message || "the coach failed"); break;
      } else if (msg.type === "status" && msg.stage === "complete") { break; }
    }
    out.dataset.done = "1";
  } catch (err) {
    loading(false);
    showError(errText(err));
  } finally { busy = false; }
}
async function upload(file) {
  showError("");
  const form = new FormData(); form.append("file", file, file.name);
  loading(true);
  let res;
  try { res = await fetch(`/upload?session=${encodeURIComponent(session)}`, { method: "POST", body: form }); }
  catch (err) { loading(false); showError("the upload failed: " + errText(err)); return; }
  const body = await res.json().catch(() => ({ error: "the upload failed" }));
  loading(false);
  if (!res.ok || body.error) { showError(body.error || "the upload failed"); return; }
  await runClip(body.clip);
}
async function main() {
  session = (await (await fetch("/session")).json()).session;
  app = await Client.connect(location.origin);
  const items = (await app.predict("/gallery", {})).data[0];
  const g = $("gallery"); g.replaceChildren();
  if (!items.length) { const s = document.createElement("span"); s.className = "muted"; s.textContent = "no clips in the gallery folder"; g.append(s); }
  for (const it of items) {
    const b = document.createElement("button"); b.className = "clip"; b.dataset.id = it.id; b.title = it.title;
    const img = document.createElement("img"); img.src = it.thumb; img.alt = it.title; img.loading = "lazy";
    const s = document.createElement("span"); s.textContent = it.title;
    b.append(img, s);
    b.addEventListener("click", () => { g.querySelectorAll(".active").forEach((x) => x.classList.remove("active")); b.classList.add("active"); runClip(it.id); });
    g.append(b);
  }
  $("upload").addEventListener("change", (e) => { const f = e.target.files[0]; if (f) upload(f); e.target.value = ""; });
  document.body.dataset.ready = "1";
}
main().catch((err) => showError("the app could not start: " + errText(err)));
