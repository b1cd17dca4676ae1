// The live conversation page: joins the Tavus call with daily-js, relays the persona's tool calls
// to DRAKO's API, sends the results back into the call, and shows proposals, captions and the day.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("conversation-config").textContent);
  const csrf = document.querySelector("#end-form [name=csrfmiddlewaretoken]").value;
  const frameBox = document.getElementById("call-frame");
  const statusLine = document.getElementById("call-status");
  const captions = document.getElementById("captions");
  const proposals = document.getElementById("proposals");
  const api = "/api/conversations/" + config.conversationId;
  let call = null;
  let ended = false;
  let lastUserSpeech = "";
  const userSpeech = {};  // inference_id -> what the user said, logged with the tool call

  function send(eventType, properties) {
    if (!call) return;
    const message = { message_type: "conversation", event_type: eventType,
                      conversation_id: config.tavusConversationId };
    if (properties) message.properties = properties;
    call.sendAppMessage(message, "*");
  }

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

  // Hand a result back to the persona: a tool_result when the call carried an id, otherwise
  // silent context for the LLM plus an echo so the persona says the answer now.
  function answer(toolCall, result) {
    if (toolCall.tool_call_id) {
      send("conversation.tool_result", { tool_call_id: toolCall.tool_call_id,
        output: JSON.stringify(result), status: result.ok ? "success" : "error" });
      return;
    }
    send("conversation.append_llm_context", { context: "Result of " + toolCall.name + ": " +
      JSON.stringify(result) });
    if (result.say) send("conversation.echo", { modality: "text", text: result.say, done: true });
  }

  async function onToolCall(message) {
    const props = message.properties || {};
    const toolCall = {
      name: props.name,
      arguments: props.arguments === undefined ? {} : props.arguments,
      inference_id: message.inference_id || props.inference_id || undefined,
      tool_call_id: props.tool_call_id || message.tool_call_id || undefined,
    };
    toolCall.utterance = userSpeech[toolCall.inference_id] || lastUserSpeech;
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

  // A click does what saying it would: the same change, then the persona is told and says it.
  async function decide(changeId, action) {
    let result;
    try {
      result = await postJSON(api + "/changes/" + changeId + "/" + action + "/");
    } catch (e) {
      result = { ok: false, say: "That didn't go through. Check your connection and try again." };
    }
    send("conversation.append_llm_context", { context: "On screen the user chose to " + action +
      " change " + changeId + ". Result: " + JSON.stringify(result) });
    if (result.say) send("conversation.echo", { modality: "text", text: result.say, done: true });
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

  function caption(message) {
    const props = message.properties || {};
    if (!props.speech) return;
    if (props.role === "user") {
      lastUserSpeech = props.speech.slice(0, 2000);
      if (message.inference_id) userSpeech[message.inference_id] = lastUserSpeech;
    }
    const line = text("p", "caption caption-" + (props.role === "user" ? "user" : "replica"), props.speech);
    captions.appendChild(line);
    while (captions.children.length > 4) captions.firstChild.remove();
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
    if (message.event_type === "conversation.tool_call") onToolCall(message);
    else if (message.event_type === "conversation.utterance") caption(message);
  }

  document.getElementById("say-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = document.getElementById("say-input");
    const words = input.value.trim();
    if (!words) return;
    send("conversation.respond", { text: words });
    caption({ properties: { role: "user", speech: words } });
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
  call.on("joined-meeting", () => { frameBox.dataset.state = "joined"; });
  call.on("left-meeting", () => { endCall(); window.location.assign(config.recordUrl); });
  call.on("error", () => { statusLine.textContent = "The call hit a problem. Reload to try again."; });
  call.join({ url: config.conversationUrl });
  window.drakoCall = call;  // for the browser tests' Daily stand-in
})();
