// The live conversation page: asks for the microphone (or joins straight away where the browser
// allows it), joins the private Tavus call with daily-js, relays the replica's tool calls to
// DRAKO's API, sends the answers back into the call, and shows what is going on: the state bar
// (connecting, listening, thinking, speaking), microphone and camera, the call's clock and the
// warning before its end, captions, the change cards and the day. The protocol it follows is
// docs/tavus.md (§1.4-1.5, §3, §4, §6).
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("conversation-config").textContent);
  const csrf = document.querySelector("#end-form [name=csrfmiddlewaretoken]").value;
  const frameBox = document.getElementById("call-frame");
  const statusLine = document.getElementById("call-status");
  const notice = document.getElementById("call-notice");
  const captions = document.getElementById("captions");
  const proposals = document.getElementById("proposals");
  const api = "/api/conversations/" + config.conversationId;
  let call = null;
  let joined = false;
  let ended = false;

  // ---- Sending into the call: every message fits daily-js's limit, and a refusal is shown ----

  // daily-js throws (synchronously, sending nothing) when JSON.stringify(message).length exceeds
  // this. It counts UTF-16 units; UTF-8 bytes are never fewer, so measuring bytes is safe.
  const MAX_MESSAGE = 4096;
  const encoder = new TextEncoder();
  // When a message is too big, long strings are trimmed first (to the most characters that fit,
  // every list item kept), and only then are lists cut ("and N more"). Ids and the answer's own
  // fields are never touched, and no string is cut below an ISO time with its offset.
  const MIN_CHARS = 26;  // "2026-03-06T15:00:00+01:00" stays whole
  const MAX_CHARS = 400;
  const ITEM_LIMITS = [Infinity, 8, 5, 3];
  const ANSWER_FIELDS = ["ok", "say", "hint", "state", "change_id"];

  function messageSize(message) {
    return encoder.encode(JSON.stringify(message)).length;
  }

  function trimmed(value, chars) {
    const characters = Array.from(value);  // never split a character in two
    return characters.length > chars ? characters.slice(0, chars - 1).join("") + "…" : value;
  }

  function isId(key) {
    return key === "id" || /_id$/.test(key);
  }

  function shrink(value, step) {
    if (typeof value === "string") return trimmed(value, step.chars);
    if (Array.isArray(value)) {
      const kept = value.slice(0, step.items).map((item) => shrink(item, step));
      if (value.length > kept.length) kept.push("and " + (value.length - kept.length) + " more");
      return kept;
    }
    if (value && typeof value === "object") {
      const out = {};
      Object.keys(value).forEach((key) => {
        out[key] = isId(key) ? value[key] : shrink(value[key], step);
      });
      return out;
    }
    return value;
  }

  function shrunkAnswer(result, step) {
    const out = shrink(result, step);
    ANSWER_FIELDS.forEach((key) => { if (key in result) out[key] = result[key]; });
    return out;
  }

  function answerFields(result, fields) {
    const out = {};
    fields.forEach((key) => { if (key in result) out[key] = result[key]; });
    return out;
  }

  function fits(message) {
    return messageSize(message) <= MAX_MESSAGE;
  }

  // The message `build(answer)` makes, with the answer as complete as the limit allows; at the
  // very least {ok, say, state, change_id}.
  function fitted(build, result) {
    const whole = build(result);
    if (fits(whole)) return whole;
    for (const items of ITEM_LIMITS) {
      let best = null;
      let low = MIN_CHARS;
      let high = MAX_CHARS;
      while (low <= high) {  // the size only grows with the characters kept
        const chars = Math.floor((low + high) / 2);
        const message = build(shrunkAnswer(result, { chars: chars, items: items }));
        if (fits(message)) { best = message; low = chars + 1; } else { high = chars - 1; }
      }
      if (best) return best;
    }
    const bare = [
      () => answerFields(result, ANSWER_FIELDS),
      () => answerFields(result, ["ok", "say", "state", "change_id"]),
      () => Object.assign(answerFields(result, ["ok", "state", "change_id"]),
                          { say: trimmed(String(result.say || ""), 600) }),
    ];
    let message = whole;
    for (const answer of bare) {
      message = build(answer());
      if (fits(message)) return message;
    }
    return message;  // still too big: send() reports it
  }

  function envelope(eventType, properties) {
    return { message_type: "conversation", event_type: eventType,
             conversation_id: config.tavusConversationId, properties: properties };
  }

  function showNotice(words) {
    notice.textContent = words;
    notice.hidden = false;
  }

  // Sends one message; a message the call refuses (too large, not joined) is shown and logged.
  function send(message, failure) {
    try {
      if (!call) throw new Error("The video service's script didn't load.");
      call.sendAppMessage(message, "*");
      return true;
    } catch (error) {
      console.error("DRAKO: the call refused a " + message.event_type + " message:",
                    error && error.message ? error.message : error);
      showNotice(failure);
      return false;
    }
  }

  const NOT_HEARD = "DRAKO didn't receive the answer to that, so it may not reply. " +
    "What changed is shown on this page; ask again if DRAKO goes quiet.";

  function echo(words, failure) {
    const build = (text) => envelope("conversation.echo", { modality: "text", text: text, done: true });
    let message = build(words);
    if (messageSize(message) > MAX_MESSAGE) message = build(trimmed(words, 800));
    return send(message, failure);
  }

  function silently(prefix, result, failure) {
    const build = (answer) => envelope("conversation.append_llm_context",
                                       { context: prefix + JSON.stringify(answer) });
    return send(fitted(build, result), failure);
  }

  // ---- Tool calls: only the replica's, answered the way its persona's tools are delivered ----

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {}),
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (!data || typeof data !== "object") {
      data = { ok: false, say: "Sorry, I couldn't reach the schedule just now. Please try again." };
    }
    if (!response.ok && data.ok === undefined) {
      data = { ok: false, say: data.detail || "That didn't work. Please try again." };
    }
    return data;
  }

  // Registry tools: one tool_result, always "success" (on "error" Tavus only acknowledges a
  // failure, and a refusal is an answer the person must hear); the LLM phrases it, nothing is
  // echoed. Inline tools: only `say` is spoken; `hint` and the data go in as silent context.
  function answer(toolCall, result) {
    if (config.toolDelivery === "registry" && toolCall.tool_call_id) {
      const build = (output) => envelope("conversation.tool_result",
        { tool_call_id: toolCall.tool_call_id, output: output, status: "success" });
      send(fitted(build, result), NOT_HEARD);
      return;
    }
    silently("Result of " + toolCall.name + ": ", result, NOT_HEARD);
    if (result.say) echo(result.say, NOT_HEARD);
  }

  // Tavus's own system tools (end_call hangs up) are Tavus's to run, not DRAKO's.
  const SYSTEM_TOOLS = new Set(["end_call"]);

  async function onToolCall(message) {
    const props = message.properties || {};
    if (SYSTEM_TOOLS.has(props.name)) return;
    const toolCall = {
      name: props.name,
      arguments: props.arguments === undefined ? {} : props.arguments,
      inference_id: message.inference_id || props.inference_id || undefined,
      tool_call_id: props.tool_call_id || message.tool_call_id || undefined,
    };
    toolCall.utterance = speech.forInference(toolCall.inference_id);
    let result;
    try {
      result = await postJSON(api + "/tool-calls/", toolCall);
    } catch (e) {
      // The persona must never wait on a call nobody answers.
      result = { ok: false, say: "I couldn't reach your schedule just now. Please try again in a moment." };
    }
    answer(toolCall, result);
    showResult(result);
  }

  // ---- The cards: the answer's own card at once, then DRAKO's rendering of it (the one line,
  // the diff, the overlaps, on the reader's clock: conversations/change_card.html). The newest
  // waiting card is pinned to the bottom of a narrow screen; Enter confirms it, Escape discards.

  const STATE_LABELS = { proposed: "Waiting for your yes", applied: "Done", discarded: "Discarded",
                         expired: "Expired", undone: "Undone" };
  const rendering = {};  // change id -> the number of its latest card request; older ones lose

  function text(tag, className, content) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (content !== undefined) el.textContent = content;
    return el;
  }

  function cardFor(changeId) {
    return proposals.querySelector('.proposal[data-change-id="' + changeId + '"]');
  }

  function actionButton(label, action, secondary) {
    const b = text("button", "button" + (secondary ? " button-secondary" : ""), label);
    b.type = "button";
    b.dataset.action = action;
    return b;
  }

  // What the answer itself says, shown until DRAKO's card arrives (or instead, if it can't).
  function answerCard(result) {
    const card = text("article", "proposal is-" + (result.state || "unknown"));
    card.dataset.changeId = result.change_id;
    card.dataset.state = result.state || "";
    card.tabIndex = result.state === "proposed" ? 0 : -1;
    const status = card.appendChild(text("p", "proposal-status"));
    status.appendChild(text("span", "state-badge", STATE_LABELS[result.state] || result.state || ""));
    card.appendChild(text("h3", "proposal-line", (result.proposal || {}).summary || result.say || ""));
    const actions = text("div", "actions");
    if (result.state === "proposed") {
      actions.append(actionButton("Confirm", "confirm"), actionButton("Discard", "discard", true));
    } else if (result.state === "applied" && result.undoable !== false) {
      actions.append(actionButton("Undo", "undo", true));
    }
    if (actions.children.length) card.appendChild(actions);
    return card;
  }

  function place(card) {
    const old = cardFor(card.dataset.changeId);
    const focused = old && (old.contains(document.activeElement) || old.dataset.focused === "true");
    if (old) old.replaceWith(card);
    else proposals.prepend(card);
    if (focused) card.focus();  // a keyboard decision leaves the focus on its card
    arrange();
    countDown(Date.now());
  }

  async function showCard(result) {
    const id = result.change_id;
    const request = (rendering[id] = (rendering[id] || 0) + 1);
    const shown = cardFor(id);
    if (!shown || shown.dataset.state !== result.state) place(answerCard(result));
    try {
      const response = await fetch(config.cardUrl.replace(/\/0\/$/, "/" + id + "/"),
                                   { credentials: "same-origin" });
      if (!response.ok) return;
      const holder = document.createElement("div");
      holder.innerHTML = (await response.text()).trim();
      const card = holder.querySelector(".proposal");
      if (card && rendering[id] === request) place(card);
    } catch (e) {
      // offline for a moment: the answer's card stays
    }
  }

  // The newest card still waiting for a yes stays on screen (pinned, on a narrow screen).
  function arrange() {
    proposals.querySelectorAll(".proposal.is-pinned").forEach((c) => c.classList.remove("is-pinned"));
    const newest = proposals.querySelector('.proposal[data-state="proposed"]');
    if (newest) newest.classList.add("is-pinned");
    makeRoom();
  }

  // Room below the page's end for a pinned card, so nothing stays hidden under it.
  function makeRoom() {
    const pinned = proposals.querySelector(".proposal.is-pinned");
    const fixed = pinned && getComputedStyle(pinned).position === "fixed";
    document.body.style.paddingBottom = fixed ? pinned.offsetHeight + 16 + "px" : "";
  }
  window.addEventListener("resize", makeRoom);

  function act(card, action) {
    if (!card || card.dataset.busy === "true") return;  // one decision per press
    card.dataset.busy = "true";
    card.dataset.focused = String(card.contains(document.activeElement));
    card.querySelectorAll("[data-action]").forEach((b) => b.setAttribute("aria-disabled", "true"));
    rendering[card.dataset.changeId] = (rendering[card.dataset.changeId] || 0) + 1;
    decide(card.dataset.changeId, action);
  }

  proposals.addEventListener("click", (event) => {
    const pressed = event.target.closest("[data-action]");
    if (!pressed || !proposals.contains(pressed)) return;
    event.preventDefault();  // Undo is a form without JavaScript; here it is part of the call
    act(pressed.closest(".proposal"), pressed.dataset.action);
  });

  proposals.addEventListener("keydown", (event) => {
    const card = event.target;
    if (!card.matches || !card.matches('.proposal[data-state="proposed"]')) return;
    if (event.key === "Enter") {
      event.preventDefault();
      act(card, "confirm");
    } else if (event.key === "Escape") {
      event.preventDefault();
      act(card, "discard");
    }
  });

  // The time left to say yes; a change nobody confirmed in time is shown as expired.
  function countDown(now) {
    proposals.querySelectorAll('.proposal[data-state="proposed"][data-expires-in]').forEach((card) => {
      if (!card.dataset.deadline) card.dataset.deadline = now + Number(card.dataset.expiresIn) * 1000;
      const left = Math.ceil((Number(card.dataset.deadline) - now) / 1000);
      const shown = card.querySelector("[data-countdown]");
      if (left > 0) {
        if (shown) shown.textContent = clockText(left);
        return;
      }
      card.dataset.state = "expired";
      card.className = "proposal is-expired";
      card.tabIndex = -1;
      card.querySelector(".state-badge").textContent = STATE_LABELS.expired;
      card.querySelectorAll(".expiry, .say-yes, .actions").forEach((el) => el.remove());
      card.appendChild(text("p", "muted", "Nobody said yes in time, so nothing changed. Ask DRAKO again if you still want it."));
      arrange();
    });
  }

  function showResult(result) {
    if (result && result.change_id) showCard(result);
    if (result && (result.state === "applied" || result.state === "undone")) {
      refreshToday();
    }
  }

  // A click does what saying it would: the same change, then the persona is told (silently) and
  // says the sentence meant for the person.
  async function decide(changeId, action) {
    let result;
    try {
      result = await postJSON(api + "/changes/" + changeId + "/" + action + "/");
    } catch (e) {
      result = { ok: false, say: "That didn't go through. Check your connection and try again." };
    }
    const failure = "DRAKO wasn't told about your click, so it may not mention it. " +
      "The card shows what happened.";
    silently("On screen the user chose to " + action + " change " + changeId + ". Result: ",
             result, failure);
    if (result.say) echo(result.say, failure);
    showResult(result);
    if (!result.change_id) noteOnCard(changeId, result.say);
  }

  // A click that didn't reach a decision (offline, too many requests): say why, allow a retry.
  function noteOnCard(changeId, words) {
    const card = cardFor(changeId);
    if (!card) return;
    card.dataset.busy = "false";
    card.querySelectorAll("[data-action]").forEach((b) => b.removeAttribute("aria-disabled"));
    let note = card.querySelector(".notice");
    if (!note) note = card.appendChild(text("p", "notice"));
    note.setAttribute("role", "alert");
    note.textContent = words || "That didn't go through. Please try again.";
  }

  async function refreshToday() {
    const response = await fetch(config.todayUrl, { credentials: "same-origin" });
    if (response.ok) document.getElementById("today-events").innerHTML = await response.text();
  }

  // ---- Captions: one line per turn, streamed, ordered by seq; the user's words kept for the
  // tool calls they lead to ----

  const speech = (function () {
    const MAX_LINES = 6;
    const lines = new Map();      // "role|turn" -> the caption element
    const open = {};              // role -> its line still being streamed
    const byInference = {};       // inference_id -> what the user said
    let lastUser = "";
    let lastSeq = 0;

    function roleOf(role) {
      // PAL turns stream twice, as "pal" and as the legacy "replica": one speaker, one line.
      return role === "user" ? "user" : "replica";
    }

    function keyOf(message, role) {
      const turn = message.inference_id || (message.properties || {}).inference_id ||
        (message.turn_idx !== undefined ? "turn-" + message.turn_idx : "");
      return turn ? role + "|" + turn : "";
    }

    function place(line, seq) {
      line.dataset.seq = seq;
      const later = Array.from(captions.children).find((el) => Number(el.dataset.seq) > seq);
      captions.insertBefore(line, later || null);
      while (captions.children.length > MAX_LINES) {
        const oldest = captions.firstElementChild;
        lines.forEach((el, key) => { if (el === oldest) lines.delete(key); });
        oldest.remove();
      }
    }

    function newLine(role, key, seq) {
      const line = text("p", "caption caption-" + role);
      line.dataset.shownSeq = "-1";
      if (key) lines.set(key, line);
      place(line, seq);
      return line;
    }

    function remember(role, message, words) {
      if (role !== "user") return;
      lastUser = words.slice(0, 2000);
      const inference = message.inference_id || (message.properties || {}).inference_id;
      if (inference) byInference[inference] = lastUser;
    }

    function seqOf(message) {
      const seq = Number(message.seq);
      if (Number.isFinite(seq)) { lastSeq = Math.max(lastSeq, seq); return seq; }
      lastSeq += 0.001;  // no seq (typed words): after everything seen so far
      return lastSeq;
    }

    // `speech` is the text so far, not a delta: a later seq replaces an earlier one, never the
    // other way round.
    function streaming(message) {
      const props = message.properties || {};
      if (typeof props.speech !== "string" || !props.speech) return;
      const role = roleOf(props.role);
      const seq = seqOf(message);
      const key = keyOf(message, role);
      let line = key ? lines.get(key) : open[role];
      if (!line) {
        if (open[role]) open[role].removeAttribute("aria-busy");  // that turn is over
        line = newLine(role, key, seq);
      }
      if (line.dataset.final === "true" || Number(line.dataset.shownSeq) > seq) return;
      line.dataset.shownSeq = seq;
      line.textContent = props.speech;
      line.setAttribute("aria-busy", "true");
      open[role] = line;
      remember(role, message, props.speech);
    }

    // The turn's whole sentence: it finishes the line that was streaming (whose id may have
    // changed on the way, as the user's does during speculative inference), or adds one.
    function final(message) {
      const props = message.properties || {};
      if (typeof props.speech !== "string" || !props.speech) return;
      const role = roleOf(props.role);
      const seq = seqOf(message);
      const key = keyOf(message, role);
      let line = (key && lines.get(key)) || open[role] || null;
      if (!line || line.dataset.final === "true") line = newLine(role, key, seq);
      if (key && !lines.has(key)) lines.set(key, line);
      line.textContent = props.speech;
      line.dataset.final = "true";
      line.removeAttribute("aria-busy");
      if (open[role] === line) open[role] = null;
      remember(role, message, props.speech);
    }

    // Words typed into the page: a line of their own, after everything heard so far.
    function typed(words) {
      const line = newLine("user", "", seqOf({}));
      line.textContent = words;
      line.dataset.final = "true";
      remember("user", {}, words);
    }

    function forInference(inferenceId) {
      return (inferenceId && byInference[inferenceId]) || lastUser;
    }

    return { streaming: streaming, final: final, typed: typed, forInference: forInference };
  })();

  // ---- The state bar: connecting, then DRAKO listening, thinking or speaking, from Daily's
  // participant events and Tavus's speaking events (docs/tavus.md §4.2, §6) ----

  const replicas = new Set();  // session ids of the Tavus replica's participants

  const bar = (function () {
    const box = document.getElementById("call-bar");
    const words = document.getElementById("call-state");
    const WORDS = {
      connecting: "Connecting to DRAKO…", waiting: "Waiting for DRAKO to join…",
      listening: "DRAKO is listening", thinking: "DRAKO is thinking…", speaking: "DRAKO is speaking",
      gone: "DRAKO has left the call", failed: "The call hit a problem",
    };
    // A turn that gets no answer (the person only said "hmm") is not thought about forever.
    const THINKING_MS = 8000;
    let connection = "connecting";  // connecting, joined, failed
    let turn = "listening";
    let seen = false;  // whether the replica was ever in the call
    let lastSeq = -Infinity;
    let thinking = null;

    function show() {
      let phase = turn;
      if (connection !== "joined") phase = connection;
      else if (!replicas.size) phase = seen ? "gone" : "waiting";
      box.dataset.phase = phase;
      words.textContent = WORDS[phase];
    }

    function setTurn(next) {
      clearTimeout(thinking);
      turn = next;
      if (next === "thinking") thinking = setTimeout(() => setTurn("listening"), THINKING_MS);
      show();
    }

    // Unified events (role) and the legacy per-role ones arrive side by side; seq orders them,
    // and a late, older one changes nothing. "pal" is the replica.
    function speaking(message) {
      const props = message.properties || {};
      const type = message.event_type;
      const role = type.indexOf(".user.") > 0 ? "user"
        : type.indexOf(".replica.") > 0 ? "replica" : (props.role === "user" ? "user" : "replica");
      const seq = Number(message.seq);
      if (Number.isFinite(seq)) {
        if (seq < lastSeq) return;
        lastSeq = seq;
      }
      const started = /started_speaking$/.test(type);
      if (role === "replica") setTurn(started ? "speaking" : "listening");
      else setTurn(started ? "listening" : "thinking");
    }

    return {
      show: show,
      speaking: speaking,
      connected(state) { connection = state; show(); },
      present() { seen = seen || replicas.size > 0; show(); },
      toolCall() { if (turn !== "speaking") setTurn("thinking"); },
    };
  })();

  const SPEAKING_EVENTS = new Set([
    "conversation.started_speaking", "conversation.stopped_speaking",
    "conversation.replica.started_speaking", "conversation.replica.stopped_speaking",
    "conversation.user.started_speaking", "conversation.user.stopped_speaking",
  ]);

  // ---- Microphone and camera: Daily's local participant says what they are; the toggles ask
  // the call to change them (localAudio/setLocalAudio), and camera-error says what went wrong ----

  const devices = (function () {
    const mic = document.getElementById("mic-toggle");
    const cam = document.getElementById("cam-toggle");
    const note = document.getElementById("device-note");
    const LABELS = { audio: ["Mute", "Unmute"], video: ["Stop video", "Start video"] };
    const tracks = { audio: null, video: null };
    let trouble = "";  // what the last camera-error said

    function isOn(track) {
      return Boolean(track) && track.state !== "off" && track.state !== "blocked";
    }

    function render() {
      [["audio", mic], ["video", cam]].forEach(([kind, button]) => {
        const track = tracks[kind];
        button.disabled = !track || track.state === "blocked";
        button.textContent = LABELS[kind][isOn(track) || !track ? 0 : 1];
        button.dataset.on = String(isOn(track));
      });
      const audio = tracks.audio;
      let words = trouble;
      if (!words && audio && audio.state === "blocked") {
        words = "Your browser is blocking the microphone, so DRAKO can't hear you. " +
          "Allow it from the icon at the left of the address bar and reload, or type below.";
      } else if (!words && audio && audio.state === "off") {
        words = "Your microphone is off: DRAKO can't hear you until you unmute.";
      }
      note.textContent = words;
    }

    function update(participant) {
      if (!participant || !participant.local || !participant.tracks) return;
      tracks.audio = participant.tracks.audio || null;
      tracks.video = participant.tracks.video || null;
      if (isOn(tracks.audio) && (isOn(tracks.video) || !tracks.video)) trouble = "";
      render();
    }

    const MEDIA = { audio: "microphone", video: "camera" };
    function mediaWords(list) {
      const named = (list || ["audio", "video"]).map((kind) => MEDIA[kind] || kind);
      return named.join(" and ");
    }

    // camera-error's types (docs/tavus.md §4.2), each with what the person can do about it.
    function cameraError(event) {
      const error = (event && event.error) || {};
      const what = mediaWords(error.blockedMedia || error.missingMedia || error.failedMedia);
      const WORDS = {
        permissions: "Your browser is blocking the " + what + ". Allow it from the icon at the " +
          "left of the address bar, then reload the page. You can type to DRAKO meanwhile.",
        "cam-in-use": "Another app is using your camera. Close it, then press Start video.",
        "mic-in-use": "Another app is using your microphone. Close it, then press Unmute.",
        "cam-mic-in-use": "Another app is using your camera and microphone. Close it, then reload.",
        "not-found": "No " + what + " was found. Plug one in and reload, or type to DRAKO below.",
        "undefined-mediadevices": "This browser can't use a microphone here. Type to DRAKO below.",
        constraints: "Your " + what + " couldn't start. Reload to try again, or type below.",
      };
      trouble = WORDS[error.type] || "Your microphone or camera couldn't start. Reload to try again, or type below.";
      render();
    }

    function toggle(kind) {
      if (!call) return;
      const on = kind === "audio" ? call.localAudio() : call.localVideo();
      if (on === null || on === undefined) return;  // not in the call yet
      if (kind === "audio") call.setLocalAudio(!on);
      else call.setLocalVideo(!on);
    }

    mic.addEventListener("click", () => toggle("audio"));
    cam.addEventListener("click", () => toggle("video"));
    return { update: update, cameraError: cameraError };
  })();

  // ---- The call's clock: elapsed and left, from the persona's limit; in the last 30 seconds
  // the bar turns amber and DRAKO says, and the page writes, that it will hang up ----

  function clockText(seconds) {
    const whole = Math.max(0, Math.ceil(seconds));
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  const callClock = (function () {
    const elapsedShown = document.getElementById("call-elapsed");
    const leftShown = document.getElementById("call-remaining");
    const clockBox = document.getElementById("call-clock");
    const barBox = document.getElementById("call-bar");
    const warning = document.getElementById("time-warning");
    const loaded = Date.now();
    let warned = false;
    let unsaid = false;  // warned before the page was in the call: say it once joined

    function say() {
      unsaid = false;
      const pending = proposals.querySelector('.proposal[data-state="proposed"]');
      const words = pending ? config.hangUpWarning.sayPending : config.hangUpWarning.say;
      echo(words, "DRAKO couldn't say it out loud, but the call ends in 30 seconds.");
    }

    function warn(left) {
      warned = true;
      const pending = proposals.querySelector('.proposal[data-state="proposed"]');
      warning.textContent = "DRAKO will hang up in " + Math.max(1, Math.ceil(left)) + " seconds." +
        (pending ? " Confirm the waiting change now if you want it." : "");
      warning.hidden = false;
      if (left < config.warnBeforeEnd - 10) return;  // too late to be worth saying
      if (joined) say();
      else unsaid = true;
    }

    function tick() {
      const now = Date.now();
      const elapsed = config.elapsedSeconds + (now - loaded) / 1000;
      const left = config.maxCallSeconds - elapsed;
      elapsedShown.textContent = clockText(elapsed - 0.999);
      leftShown.textContent = clockText(left);
      const ending = left <= config.warnBeforeEnd;
      clockBox.classList.toggle("is-ending", ending);
      barBox.classList.toggle("is-ending", ending);
      if (ending && !warned && left > 0) warn(left);
      countDown(now);
    }

    tick();
    setInterval(tick, 1000);
    return { joined() { if (unsaid) say(); } };
  })();

  // ---- The call: a private room, and only the replica is listened to ----

  function track(participant) {
    if (!participant || !participant.session_id) return;
    const id = participant.session_id;
    if (!participant.local && String(participant.user_id || "").includes("tavus-replica")) {
      replicas.add(id);
    } else {
      replicas.delete(id);
    }
    bar.present();
  }

  function trackAll() {
    const all = (call && call.participants && call.participants()) || {};
    Object.keys(all).forEach((key) => track(all[key]));
  }

  function fromReplica(fromId) {
    if (!fromId) return false;
    if (!replicas.has(fromId)) trackAll();  // its participant-joined may not have come yet
    return replicas.has(fromId);
  }

  function endCall() {
    if (ended) return;
    ended = true;
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrf);
    navigator.sendBeacon(config.endUrl, body);
  }

  function onAppMessage(event) {
    const message = event && event.data;
    if (!message || typeof message !== "object") return;
    if (!fromReplica(event.fromId)) {
      // Anyone else in the room (or a server-side message) must not drive the schedule.
      console.warn("DRAKO: ignored a " + String(message.event_type) +
                   " message from a participant that is not the replica.");
      return;
    }
    const type = message.event_type;
    if (type === "conversation.tool_call") {
      bar.toolCall();
      onToolCall(message);
    } else if (type === "conversation.utterance.streaming") speech.streaming(message);
    else if (type === "conversation.utterance") speech.final(message);
    else if (SPEAKING_EVENTS.has(type)) bar.speaking(message);
  }

  const FATAL = {
    "not-allowed": "This call is private and didn't accept this page's pass. End the conversation and start a new one.",
    "exp-token": "This call's pass has expired. End the conversation and start a new one.",
    "nbf-token": "This call's pass isn't valid yet. Reload the page in a moment.",
    "meeting-full": "The call already has its two participants. If it's open in another tab, use that one.",
    "exp-room": "This call has ended. End the conversation here to see its record.",
  };

  function onError(event) {
    const type = event && event.error && event.error.type;
    frameBox.dataset.state = "failed";
    statusLine.textContent = FATAL[type] || "The call hit a problem. Reload to try again.";
    bar.connected("failed");
  }

  document.getElementById("say-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = document.getElementById("say-input");
    const words = input.value.trim();
    if (!words) return;
    const sent = send(envelope("conversation.respond", { text: words }),
                      "Your message didn't reach DRAKO. Please send it again.");
    if (!sent) return;  // the words stay in the box for another try
    speech.typed(words);
    input.value = "";
  });

  window.addEventListener("pagehide", endCall);
  document.getElementById("end-form").addEventListener("submit", () => { ended = true; });

  if (!window.Daily) {
    statusLine.textContent = "The video service's script didn't load. Check your connection and reload.";
    bar.connected("failed");
    return;
  }
  call = window.Daily.createFrame(frameBox, { iframeStyle: { width: "100%", height: "100%", border: "0" },
                                               showLeaveButton: true });
  call.on("app-message", onAppMessage);
  call.on("participant-joined", (e) => track(e && e.participant));
  call.on("participant-updated", (e) => {
    track(e && e.participant);
    devices.update(e && e.participant);
  });
  call.on("participant-left", (e) => {
    if (e && e.participant) replicas.delete(e.participant.session_id);
    bar.present();
  });
  call.on("joined-meeting", (e) => {
    joined = true;
    trackAll();
    devices.update((e && e.participants && e.participants.local) || call.participants().local);
    frameBox.dataset.state = "joined";
    bar.connected("joined");
    callClock.joined();
  });
  call.on("camera-error", (e) => devices.cameraError(e));
  call.on("left-meeting", () => { endCall(); window.location.assign(config.recordUrl); });
  call.on("error", onError);
  window.drakoCall = call;  // for the browser tests' Daily stand-in

  // ---- Joining: the microphone first (the browser asks, with the reason shown), or straight
  // in when the browser already allows it ----

  const prejoinBox = document.getElementById("prejoin");
  const allow = document.getElementById("prejoin-allow");
  const problem = document.getElementById("prejoin-problem");
  const PREJOIN_WORDS = {
    blocked: "Your browser blocked the microphone. Allow it from the icon at the left of the " +
      "address bar (or in the browser's site settings), then press Try again. Or join and type.",
    missing: "No microphone was found. Plug one in and press Try again, or join and type.",
    busy: "Your microphone is in use by another app. Close it and press Try again, or join and type.",
    none: "This browser can't use a microphone on this page. Join and type to DRAKO instead.",
  };

  function join(extra) {
    prejoinBox.hidden = true;
    frameBox.dataset.state = "connecting";
    statusLine.textContent = "Connecting to DRAKO…";
    // The room is private: the token is the page's pass (docs/tavus.md §4.3).
    const joining = Object.assign({ url: config.conversationUrl }, extra);
    if (config.meetingToken) joining.token = config.meetingToken;
    Promise.resolve(call.join(joining)).catch((error) => {
      console.warn("DRAKO: joining the call failed:", error && error.message ? error.message : error);
      if (frameBox.dataset.state !== "failed") onError({});
    });
  }

  function release(stream) {
    stream.getTracks().forEach((t) => t.stop());  // Daily opens the devices itself
  }

  // daily-js's own startCamera() is for call objects only; a frame asks when it joins. Asking
  // here first, on this page, lets the step say why and what to do when the browser says no.
  async function askForDevices() {
    const media = navigator.mediaDevices;
    if (!media || !media.getUserMedia) return { words: PREJOIN_WORDS.none };
    try {
      release(await media.getUserMedia({ audio: true, video: true }));
      return { join: {} };
    } catch (error) {
      if (error.name === "NotAllowedError" || error.name === "SecurityError") {
        return { words: PREJOIN_WORDS.blocked };
      }
    }
    try {  // no camera, or a camera in use: the microphone alone is enough
      release(await media.getUserMedia({ audio: true }));
      return { join: { startVideoOff: true } };
    } catch (error) {
      if (error.name === "NotAllowedError") return { words: PREJOIN_WORDS.blocked };
      if (error.name === "NotFoundError" || error.name === "OverconstrainedError") {
        return { words: PREJOIN_WORDS.missing };
      }
      return { words: PREJOIN_WORDS.busy };
    }
  }

  allow.addEventListener("click", async () => {
    if (allow.getAttribute("aria-disabled") === "true") return;
    allow.setAttribute("aria-disabled", "true");
    problem.hidden = true;
    const outcome = await askForDevices();
    allow.removeAttribute("aria-disabled");
    if (outcome.join) {
      join(outcome.join);
      return;
    }
    problem.textContent = outcome.words;
    problem.hidden = false;
    allow.textContent = "Try again";
  });
  document.getElementById("prejoin-type").addEventListener("click", () => {
    join({ startAudioOff: true, startVideoOff: true });
  });

  async function allowed() {
    try {
      return (await navigator.permissions.query({ name: "microphone" })).state === "granted";
    } catch (e) {
      return false;  // a browser that can't say: ask
    }
  }

  allowed().then((yes) => {
    if (yes) {
      join({});
      return;
    }
    frameBox.dataset.state = "prejoin";
    statusLine.textContent = "";
    prejoinBox.hidden = false;
  });
})();
