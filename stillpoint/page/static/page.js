// Stillpoint's talk page: microphone → WebSocket → the server's conversation; reply audio back,
// played sentence by sentence as it arrives and stopped the moment the server hears you speak.
// Nothing here decides turns, safety or what to say: the server does, with the same engine as
// `stillpoint talk`. The page only captures, plays, and shows. The protocol is in the README.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const talkButton = $("talk");
  const hushButton = $("hush");
  const endButton = $("end");
  const statusLine = $("status");
  const transcript = $("transcript");
  const circle = $("circle");
  const phase = $("phase");
  const pttBox = $("ptt");
  const patternBox = $("pattern");

  // What tests and bench/page_latency.py read: every event, when audio was sent and received.
  const trace = { events: [], sent: [], replies: [], played: [], errors: [] };
  window.stillpoint = trace;

  const s = {
    ws: null, stream: null, captureCtx: null, captureNode: null, playCtx: null,
    running: false, pttDown: false, header: null, sources: new Set(), nextStart: 0,
    timers: new Set(), hearing: null, samplesSent: 0, mode: "talk", speaking: false,
  };

  const STATUS = {
    idle: "When you're ready, press Start. Nothing is heard or recorded until you do.",
    connecting: "Starting…",
    listening: "I'm listening. Take your time.",
    ptt: "Hold the button (or Space) while you talk; let go when you're done.",
    hearing: "I'm hearing you…",
    thinking: "A moment…",
    speaking: "Speaking. Talk any time to interrupt.",
    ended: "Ended. What was said is kept on this computer; see Your sessions.",
  };

  function setStatus(key, extra) {
    statusLine.textContent = extra || STATUS[key] || key;
    circle.classList.toggle("listening", key === "hearing");
    circle.classList.toggle("speaking", key === "speaking");
  }

  function later(ms, fn) {
    const id = setTimeout(() => { s.timers.delete(id); fn(); }, Math.max(0, ms));
    s.timers.add(id);
  }

  function send(event) {
    if (s.ws && s.ws.readyState === WebSocket.OPEN) s.ws.send(JSON.stringify(event));
  }

  // ---- transcript --------------------------------------------------------------------------
  function addItem(who, cls) {
    const li = document.createElement("li");
    li.className = cls;
    const label = document.createElement("span");
    label.className = "who";
    label.textContent = who;
    li.append(label);
    transcript.append(li);
    li.scrollIntoView({ block: "nearest" });
    return li;
  }

  function pauseMark(seconds) {
    const span = document.createElement("span");
    span.className = "pause";
    span.textContent = ` … (${seconds.toFixed(1)} s) … `;
    span.setAttribute("aria-label", `pause of ${seconds.toFixed(1)} seconds`);
    return span;
  }

  function hearingItem() {
    if (!s.hearing) {
      s.hearing = addItem("You", "you hearing");
      s.hearing.append(document.createTextNode("…"));
    }
    return s.hearing;
  }

  function showUserTurn(event) {
    const li = s.hearing || addItem("You", "you");
    s.hearing = null;
    li.className = "you";
    li.replaceChildren(li.firstChild);
    for (const piece of event.pieces) {
      if (piece.pause_s !== undefined) li.append(pauseMark(piece.pause_s));
      else li.append(document.createTextNode(piece.words + " "));
    }
    if (!event.text) li.remove();
    else li.scrollIntoView({ block: "nearest" });
  }

  let companionItem = null;
  function showCompanionSentence(text) {
    if (!companionItem) companionItem = addItem("Stillpoint", "companion");
    companionItem.append(document.createTextNode(text + " "));
    companionItem.scrollIntoView({ block: "nearest" });
  }

  // ---- crisis resources: text and tap-to-call links; once shown, they stay -------------------
  function fillResources(textEl, linksEl, resources) {
    textEl.textContent = resources.text;
    linksEl.replaceChildren(...resources.links.map((link) => {
      const a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.label;
      return a;
    }));
  }

  function showHelp(event) {
    const help = $("help");
    fillResources($("help-text"), $("help-links"), event.resources);
    fillResources(document.createElement("p"), $("help-bar-links"), event.resources);
    $("help-bar").hidden = !event.resources.links.length;  // the call buttons stay in view while scrolling
    if (help.hidden) {
      help.hidden = false;
      help.setAttribute("role", "alert");
      help.scrollIntoView({ block: "start" });
    }
  }

  // ---- breathing circle, driven by cue times the server attached to the audio ----------------
  function breathe(cue) {
    const seconds = cue.duration_ms / 1000;
    circle.style.transitionDuration = `${seconds}s`;
    phase.textContent = cue.label;
    if (cue.phase === "in") circle.style.transform = "scale(1.9)";
    else if (cue.phase === "out") circle.style.transform = "scale(1)";
    // "hold" keeps the size it has
  }

  function endBreathing() {
    circle.style.transitionDuration = "";
    circle.style.transform = "";
    phase.textContent = "";
  }

  // ---- reply audio ----------------------------------------------------------------------------
  function playReply(header, buffer) {
    trace.replies.push({ seq: header.seq, receivedAt: performance.now(), bytes: buffer.byteLength, text: header.text,
                         cues: header.cues });
    if (!header.text && s.cut) {  // the rest of an exercise after a steering word: the same reply goes on
      s.cut.mark.remove();
      companionItem = s.cut.item;
    }
    s.cut = null;
    if (!s.playCtx) return;
    const pcm = new Int16Array(buffer);
    const floats = new Float32Array(pcm.length);
    for (let i = 0; i < pcm.length; i++) floats[i] = pcm[i] / 32768;
    const audio = s.playCtx.createBuffer(1, floats.length, header.sample_rate);
    audio.copyToChannel(floats, 0);
    const node = s.playCtx.createBufferSource();
    node.buffer = audio;
    node.connect(s.playCtx.destination);
    const now = s.playCtx.currentTime;
    const at = Math.max(now + 0.02 + (header.delay_ms || 0) / 1000, s.nextStart);
    node.start(at);
    s.nextStart = at + audio.duration;
    s.sources.add(node);
    s.speaking = true;
    setStatus("speaking");
    hushButton.hidden = false;
    node.onended = () => {
      s.sources.delete(node);
      trace.played.push(header.seq);
      send({ type: "played", seq: header.seq });
      if (!s.sources.size) finishedSpeaking();
    };
    const delayMs = (at - now) * 1000;
    if (header.text) later(delayMs, () => showCompanionSentence(header.text));
    for (const cue of header.cues || []) later(delayMs + cue.offset_ms, () => breathe(cue));
  }

  function finishedSpeaking() {
    s.speaking = false;
    hushButton.hidden = true;
    companionItem = null;
    endBreathing();
    if (s.running) setStatus(pttBox.checked ? "ptt" : "listening");
  }

  function stopPlayback() {
    for (const node of s.sources) { node.onended = null; try { node.stop(); } catch (_) { /* not started */ } }
    s.sources.clear();
    for (const id of s.timers) clearTimeout(id);
    s.timers.clear();
    s.nextStart = 0;
    if (companionItem) {
      const cut = document.createElement("span");
      cut.className = "cut";
      cut.textContent = "(stopped)";
      companionItem.append(cut);
      s.cut = { mark: cut, item: companionItem };
    }
    finishedSpeaking();
  }

  // ---- events from the server -----------------------------------------------------------------
  function onEvent(event) {
    trace.events.push({ at: performance.now(), ...event });
    switch (event.type) {
      case "ready":
        fillResources($("always-help-text"), $("always-help-links"), event.resources);
        setStatus(pttBox.checked ? "ptt" : "listening", s.noMicrophone);
        $("typed").hidden = false;
        break;
      case "speech.started":
        hearingItem();
        if (!s.speaking) setStatus("hearing");
        break;
      case "pause":
        hearingItem().append(pauseMark(event.duration_s));
        break;
      case "turn.ended":
        if (!s.speaking) setStatus("thinking");
        later(15000, () => { if (!s.speaking && s.running && statusLine.textContent === STATUS.thinking) setStatus("listening"); });
        break;
      case "user.turn":
        showUserTurn(event);
        break;
      case "reply.audio":
        s.header = event;
        break;
      case "reply.stop":
        stopPlayback();
        break;
      case "crisis":
        showHelp(event);
        break;
      case "error":
        trace.errors.push(event);
        if (event.code === "unavailable" || event.code === "busy") statusLine.textContent = event.message;
        break;
      case "closing":
        s.closingMessage = event.message;
        setStatus("ended", event.message);
        break;
      default:
        break;
    }
  }

  function onBinary(buffer) {
    const header = s.header;
    s.header = null;
    if (header) playReply(header, buffer);
  }

  // ---- starting and ending --------------------------------------------------------------------
  async function start() {
    setStatus("connecting");
    talkButton.disabled = true;
    s.playCtx = new AudioContext({ latencyHint: "interactive" });
    try {
      s.stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
      });
    } catch (error) {
      s.noMicrophone = `The microphone isn't available (${error.name}); you can type instead.`;
    }
    if (s.stream) await startCapture();
    connect();
  }

  async function startCapture() {
    s.captureCtx = new AudioContext({ sampleRate: 16000, latencyHint: "interactive" });
    let source;
    try {
      source = s.captureCtx.createMediaStreamSource(s.stream);
    } catch (error) { // this browser cannot resample the microphone: run at its rate, the worklet averages down
      s.captureCtx.close();
      s.captureCtx = new AudioContext({ latencyHint: "interactive" });
      source = s.captureCtx.createMediaStreamSource(s.stream);
    }
    await s.captureCtx.audioWorklet.addModule("/static/capture-worklet.js");
    s.captureNode = new AudioWorkletNode(s.captureCtx, "stillpoint-capture", { numberOfOutputs: 1 });
    const silent = s.captureCtx.createGain();
    silent.gain.value = 0; // keeps the graph pulling; nothing is heard
    source.connect(s.captureNode).connect(silent).connect(s.captureCtx.destination);
    s.captureNode.port.postMessage({ muted: pttBox.checked && !s.pttDown });
    s.captureNode.port.onmessage = (message) => {
      if (!s.ws || s.ws.readyState !== WebSocket.OPEN) return;
      s.ws.send(message.data);
      s.samplesSent += message.data.byteLength / 2;
      if (trace.sent.length < 100000) trace.sent.push([s.samplesSent, performance.now()]);
    };
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    s.ws = new WebSocket(`${scheme}//${location.host}/ws`);
    s.ws.binaryType = "arraybuffer";
    s.ws.onopen = () => send({ type: "start", mode: s.mode, microphone: Boolean(s.stream), pattern: patternBox.value });
    s.ws.onmessage = (message) => {
      if (typeof message.data === "string") onEvent(JSON.parse(message.data));
      else onBinary(message.data);
    };
    s.ws.onclose = (close) => {
      const why = close.reason ? ` (${close.reason})` : "";
      if (s.running) end(s.closingMessage || (close.code === 1000 ? STATUS.ended : `The connection closed${why}. Press Start to begin again.`));
    };
    s.running = true;
    talkButton.disabled = false;
    showControls();
  }

  function end(message) {
    s.running = false;
    $("typed").hidden = true;
    stopPlayback();
    if (s.ws && s.ws.readyState <= WebSocket.OPEN) s.ws.close(1000, "ended by the person");
    s.ws = null;
    if (s.stream) s.stream.getTracks().forEach((track) => track.stop());
    if (s.captureCtx) s.captureCtx.close();
    if (s.playCtx) s.playCtx.close();
    s.captureCtx = s.playCtx = s.captureNode = s.stream = s.noMicrophone = s.closingMessage = null;
    s.hearing = null;
    showControls();
    setStatus("ended", message || STATUS.ended);
  }

  // ---- controls: one large button; push-to-talk as an option ---------------------------------
  function showControls() {
    const holding = pttBox.checked && s.running;
    talkButton.textContent = !s.running ? "Start" : holding ? (s.pttDown ? "Talking… let go when done" : "Hold to talk") : "End";
    talkButton.setAttribute("aria-pressed", String(s.running && (!pttBox.checked || s.pttDown)));
    endButton.hidden = !holding;
  }

  function holdToTalk(down) {
    if (!pttBox.checked || !s.running || s.pttDown === down) return;
    s.pttDown = down;
    if (s.captureNode) s.captureNode.port.postMessage({ muted: !down });
    showControls();
    send({ type: "ptt", down });
  }

  talkButton.addEventListener("click", () => {
    if (!s.running) start();
    else if (!pttBox.checked) end();
  });
  talkButton.addEventListener("pointerdown", () => holdToTalk(true));
  for (const name of ["pointerup", "pointercancel", "pointerleave"]) {
    talkButton.addEventListener(name, () => holdToTalk(false));
  }
  talkButton.addEventListener("keydown", (event) => {
    if (event.code === "Space" && pttBox.checked && s.running) { event.preventDefault(); if (!event.repeat) holdToTalk(true); }
  });
  talkButton.addEventListener("keyup", (event) => {
    if (event.code === "Space" && pttBox.checked && s.running) { event.preventDefault(); holdToTalk(false); }
  });
  hushButton.addEventListener("click", () => { send({ type: "stop" }); stopPlayback(); });
  endButton.addEventListener("click", () => end());
  $("typed").addEventListener("submit", (event) => {
    event.preventDefault();
    const box = $("say");
    const text = box.value.trim();
    if (!text || !s.running) return;
    stopPlayback();
    send({ type: "say", text });
    addItem("You", "you").append(document.createTextNode(text));
    box.value = "";
  });
  pttBox.addEventListener("change", () => {
    if (s.captureNode) s.captureNode.port.postMessage({ muted: pttBox.checked && !s.pttDown });
    showControls();
    if (s.running && !s.speaking) setStatus(pttBox.checked ? "ptt" : "listening");
  });
  for (const radio of document.querySelectorAll("input[name=mode]")) {
    radio.addEventListener("change", () => {
      s.mode = radio.value;
      $("pattern-row").hidden = s.mode !== "breathe";
      send(s.mode === "breathe" ? { type: "mode", mode: s.mode, pattern: patternBox.value } : { type: "mode", mode: s.mode });
    });
  }
  // another exercise chosen while breathing: it starts now (the one playing stops)
  patternBox.addEventListener("change", () => {
    if (s.mode === "breathe") send({ type: "mode", mode: "breathe", pattern: patternBox.value });
  });
  // The crisis lines are on the page before anything starts (no microphone, no connection needed).
  fetch("/resources.json").then((r) => (r.ok ? r.json() : null)).then((resources) => {
    if (resources) fillResources($("always-help-text"), $("always-help-links"), resources);
  }).catch(() => {});

  // A long-press menu must not steal the hold-to-talk gesture on phones.
  talkButton.addEventListener("contextmenu", (event) => { if (pttBox.checked) event.preventDefault(); });
})();
