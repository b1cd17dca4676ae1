// The live conversation page: joins the private Tavus call with daily-js, relays the replica's
// tool calls to DRAKO's API, sends the answers back into the call, and shows proposals, captions
// and the day. The protocol it follows is docs/tavus.md (§1.4-1.5, §3, §4, §6).
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

  // ---- The cards ----

  function text(tag, className, content) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (content !== undefined) el.textContent = content;
    return el;
  }

  function cardFor(changeId) {
    let card = proposals.querySelector('[data-change-id="' + changeId + '"]');
    if (!card) {
      card = text("article", "proposal");
      card.dataset.changeId = changeId;
      proposals.prepend(card);
    }
    return card;
  }

  function button(label, className, onClick) {
    const b = text("button", "button button-small " + className, label);
    b.type = "button";
    b.addEventListener("click", async () => { b.disabled = true; await onClick(); });
    return b;
  }

  function renderCard(result) {
    const card = cardFor(result.change_id);
    const proposal = result.proposal || {};
    card.replaceChildren();
    card.className = "proposal " + (result.state || "");
    card.appendChild(text("h3", "", proposal.summary || result.say));
    const diff = text("div", "diff");
    (proposal.fields || []).forEach((f) => {
      diff.appendChild(text("span", "muted", f.label));
      const value = text("span");
      if (f.before) {
        value.appendChild(text("span", "before", f.before));
        value.append(" → ");
      }
      value.appendChild(text("strong", "", f.after));
      diff.appendChild(value);
    });
    card.appendChild(diff);
    if (proposal.conflicts && proposal.conflicts.length) {
      card.appendChild(text("p", "conflicts", "Overlaps: " + proposal.conflicts.join(", ")));
    }
    const actions = text("div", "actions");
    if (result.state === "undone") {
      actions.appendChild(text("span", "badge", "undone"));
    } else if (result.state === "proposed") {
      actions.appendChild(button("Confirm", "", () => decide(result.change_id, "confirm")));
      actions.appendChild(button("Discard", "button-secondary", () => decide(result.change_id, "discard")));
    } else if (result.state === "applied" && result.undoable !== false) {
      actions.appendChild(text("span", "badge badge-ok", "Done"));
      actions.appendChild(button("Undo", "button-secondary", () => decide(result.change_id, "undo")));
    } else {
      actions.appendChild(text("span", "badge", result.state || ""));
    }
    card.appendChild(actions);
  }

  function showResult(result) {
    if (result && result.change_id) renderCard(result);
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
    card.querySelectorAll("button").forEach((b) => { b.disabled = false; });
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

  // ---- The call: a private room, and only the replica is listened to ----

  const replicas = new Set();  // session ids of the Tavus replica's participants

  function track(participant) {
    if (!participant || !participant.session_id) return;
    const id = participant.session_id;
    if (!participant.local && String(participant.user_id || "").includes("tavus-replica")) {
      replicas.add(id);
    } else {
      replicas.delete(id);
    }
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
    if (message.event_type === "conversation.tool_call") onToolCall(message);
    else if (message.event_type === "conversation.utterance.streaming") speech.streaming(message);
    else if (message.event_type === "conversation.utterance") speech.final(message);
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
    return;
  }
  call = window.Daily.createFrame(frameBox, { iframeStyle: { width: "100%", height: "100%", border: "0" },
                                               showLeaveButton: true });
  call.on("app-message", onAppMessage);
  call.on("participant-joined", (e) => track(e && e.participant));
  call.on("participant-updated", (e) => track(e && e.participant));
  call.on("participant-left", (e) => {
    if (e && e.participant) replicas.delete(e.participant.session_id);
  });
  call.on("joined-meeting", () => { trackAll(); frameBox.dataset.state = "joined"; });
  call.on("left-meeting", () => { endCall(); window.location.assign(config.recordUrl); });
  call.on("error", onError);
  // The room is private: the token is the page's pass (docs/tavus.md §4.3).
  const joining = { url: config.conversationUrl };
  if (config.meetingToken) joining.token = config.meetingToken;
  Promise.resolve(call.join(joining)).catch((error) => {
    console.warn("DRAKO: joining the call failed:", error && error.message ? error.message : error);
    if (frameBox.dataset.state !== "failed") onError({});
  });
  window.drakoCall = call;  // for the browser tests' Daily stand-in
})();
