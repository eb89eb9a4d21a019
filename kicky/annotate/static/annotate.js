// The annotation pages: one keyboard map per tool (no key does two things), frame-accurate stepping
// (requestVideoFrameCallback gives the shown frame; seeks land mid-frame), every change saved at once.
(() => {
  const tool = document.body.dataset.tool;
  const $ = (id) => document.getElementById(id);
  const video = $("video");
  let S = null, idx = 0, frame = 0, fps = 30, speed = 1, undo = [];
  const SPEEDS = [0.25, 0.5, 1, 2];
  const COMMON = [["ArrowRight", "one frame forward"], ["ArrowLeft", "one frame back"],
    ["Shift+ArrowRight", "ten frames forward"], ["Shift+ArrowLeft", "ten frames back"],
    [" ", "play / pause"], ["]", "faster"], ["[", "slower"], ["z", "undo"], ["?", "these keys"]];
  const CLIPS = [["n", "next clip"], ["p", "previous clip"], ["u", "next unlabelled clip"]];
  const KEYS = {
    rater: [...COMMON, ...CLIPS, ["1", "1 star"], ["2", "2 stars"], ["3", "3 stars"], ["4", "4 stars"], ["5", "5 stars"], ["0", "clear the stars"]],
    goals: [...COMMON, ...CLIPS, ["g", "goal"], ["x", "no goal"], ["s", "unsure"], ["l", "left foot"], ["r", "right foot"],
      ["k", "kick frame = this frame"]],
    clipper: [...COMMON, ["i", "in point"], ["o", "out point (adds the cut)"], ["d", "delete the last cut"], ["e", "export the cuts"]],
  }[tool];

  function error(msg) { $("error").textContent = msg || ""; $("error").hidden = !msg; }
  function saved(ok) { const s = $("saved"); s.textContent = ok ? "saved" : "saving…"; s.className = "saved" + (ok ? "" : " dirty"); document.body.dataset.saved = ok ? "1" : "0"; }
  async function post(url, body) {
    saved(false);
    const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
    const j = await r.json().catch(() => ({ error: "the server did not answer" }));
    if (!r.ok || j.error) { error(j.error || "not saved"); saved(true); return null; }
    error(""); saved(true); return j;
  }
  const clipId = () => (tool === "clipper" ? "source" : S.clips[idx].id);
  const labels = () => (S.labels[clipId()] || {});
  function seek(n) {
    const total = tool === "clipper" ? S.video.frames : S.clips[idx].frames;
    frame = Math.max(0, Math.min(total - 1, n));
    video.pause(); video.currentTime = (frame + 0.5) / fps;
    render();
  }
  // while playing, the frame shown is the one the browser presented; paused, it is the one stepped to
  function onFrame(_now, meta) { if (!video.paused) { frame = Math.max(0, Math.round(meta.mediaTime * fps)); render(); } video.requestVideoFrameCallback(onFrame); }
  function load(i) {
    idx = i; fps = tool === "clipper" ? S.video.fps : S.clips[idx].fps;
    video.src = `/video/${encodeURIComponent(clipId())}`; frame = 0;
    video.addEventListener("loadeddata", () => { video.currentTime = 0.5 / fps; }, { once: true });
    if (tool !== "clipper") post("/api/set", { clip: clipId(), key: "cursor", value: null });
    render();
  }
  function render() {
    document.body.dataset.frame = String(frame);
    if (tool === "clipper") {
      const cuts = S.cuts.map((c, k) => `${k + 1}: ${c[0]}-${c[1]}`).join("  ") || "none";
      $("where").textContent = `${S.video.name} · ${S.video.frames} frames @ ${fps.toFixed(2)} fps`;
      $("status").textContent = `frame ${frame}  ·  speed ${speed}x  ·  in point ${S.pending_in ?? "-"}\ncuts: ${cuts}` +
        (S.exported && S.exported.length ? `\nexported: ${S.exported.map((e) => e.clip).join(", ")}` : "");
      return;
    }
    const l = labels();
    $("where").textContent = `clip ${idx + 1} / ${S.clips.length}: ${clipId()}`;
    $("status").textContent = `frame ${frame} / ${S.clips[idx].frames - 1}  ·  speed ${speed}x\n` + (tool === "rater"
      ? `stars: ${l.stars ? "★".repeat(l.stars) + "☆".repeat(5 - l.stars) : "-"}`
      : `goal: ${l.goal || "-"}  ·  foot: ${l.foot || "-"}  ·  kick frame: ${l.kick_frame ?? "-"}`);
    const ol = $("list"); ol.replaceChildren();
    S.clips.forEach((c, k) => {
      const li = document.createElement("li"), x = S.labels[c.id] || {};
      li.textContent = `${c.id} ${tool === "rater" ? (x.stars ? "★" + x.stars : "") : [x.goal, x.foot, x.kick_frame].filter((v) => v !== undefined).join(" ")}`;
      if (k === idx) li.className = "cur";
      ol.append(li);
    });
  }
  const labelled = (c) => (tool === "rater" ? !!(S.labels[c.id] || {}).stars : !!(S.labels[c.id] || {}).goal);
  async function setLabel(key, value, record = true) {
    const clip = clipId(), old = labels()[key] ?? null;
    const j = await post("/api/set", { clip, key, value });
    if (!j) return;
    if (record) undo.push(() => setLabelOn(clip, key, old));
    S.labels = j.labels; render();
  }
  async function setLabelOn(clip, key, value) { const j = await post("/api/set", { clip, key, value }); if (j) { S.labels = j.labels; render(); } }
  async function setCuts(cuts, pending, record = true) {
    const before = { cuts: S.cuts.map((c) => [...c]), pending: S.pending_in };
    const j = await post("/api/set", { cuts, pending_in: pending, position: frame });
    if (!j) return;
    if (record) undo.push(() => setCuts(before.cuts, before.pending, false));
    S.cuts = j.cuts; S.pending_in = j.pending_in; render();
  }
  function help() {
    const t = $("keys"); t.replaceChildren();
    for (const [k, what] of KEYS) { const tr = document.createElement("tr"); tr.innerHTML = "<td></td><td></td>"; tr.children[0].textContent = k === " " ? "Space" : k; tr.children[1].textContent = what; t.append(tr); }
    $("help").hidden = !$("help").hidden;
  }
  async function key(e) {
    const k = (e.shiftKey && e.key.startsWith("Arrow") ? "Shift+" : "") + e.key;
    if (!KEYS.some(([x]) => x === k)) return;
    e.preventDefault();
    if (k === "?") return help();
    if (k === "ArrowRight") return seek(frame + 1);
    if (k === "ArrowLeft") return seek(frame - 1);
    if (k === "Shift+ArrowRight") return seek(frame + 10);
    if (k === "Shift+ArrowLeft") return seek(frame - 10);
    if (k === " ") { if (video.paused) { video.playbackRate = speed; video.play(); } else video.pause(); return; }
    if (k === "]" || k === "[") { speed = SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, SPEEDS.indexOf(speed) + (k === "]" ? 1 : -1)))]; video.playbackRate = speed; return render(); }
    if (k === "z") { const f = undo.pop(); if (f) await f(); return; }
    if (k === "n") return load(Math.min(idx + 1, S.clips.length - 1));
    if (k === "p") return load(Math.max(idx - 1, 0));
    if (k === "u") { for (let d = 1; d <= S.clips.length; d++) { const j = (idx + d) % S.clips.length; if (!labelled(S.clips[j])) return load(j); } error("every clip is labelled"); return; }
    if (tool === "rater") return setLabel("stars", k === "0" ? null : Number(k));
    if (tool === "goals") {
      if (k === "g" || k === "x" || k === "s") return setLabel("goal", { g: "goal", x: "no_goal", s: "unsure" }[k]);
      if (k === "l" || k === "r") return setLabel("foot", k === "l" ? "left" : "right");
      if (k === "k") return setLabel("kick_frame", frame);
    }
    if (tool === "clipper") {
      if (k === "i") return setCuts(S.cuts, frame);
      if (k === "o") { if (S.pending_in === null || S.pending_in === undefined) return error("mark the in point first (i)"); if (frame < S.pending_in) return error("the out point is before the in point"); return setCuts([...S.cuts, [S.pending_in, frame]], null); }
      if (k === "d") return setCuts(S.cuts.slice(0, -1), S.pending_in);
      if (k === "e") { $("saved").textContent = "exporting…"; const j = await post("/api/export"); if (j) { S.exported = j.exported; render(); } }
    }
  }
  async function main() {
    S = await (await fetch("/api/state")).json();
    if (tool === "clipper") { load(0); video.addEventListener("loadeddata", () => seek(S.position || 0), { once: true }); }
    else { const c = S.clips.findIndex((x) => x.id === S.cursor); load(c >= 0 ? c : 0); }
    video.requestVideoFrameCallback(onFrame);
    video.addEventListener("pause", () => { frame = Math.floor(video.currentTime * fps + 1e-3); render(); });
    document.addEventListener("keydown", key);
    saved(true); document.body.dataset.ready = "1";
  }
  main().catch((e) => error("could not load: " + e));
})();
