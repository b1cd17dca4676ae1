// A stand-in for daily-js, served at the pinned DAILY_JS_URL by the browser tests.
// No network and no real iframe: it records what the page does and lets the test emit events.
// Where it matters it behaves as daily-js 0.92.2 does (docs/tavus.md §4):
// - sendAppMessage throws before join, and throws "Message data too large. Max size is 4096"
//   (synchronously, sending nothing) when JSON.stringify(message).length is over the limit;
// - participants() is {local, [session_id]: participant}, the Tavus replica among them with a
//   user_id starting "tavus-replica", and app-message events are {action, data, fromId};
// - each participant has `tracks.audio|video` with a `state` (playable, off, blocked, ...) and
//   the reason under `off` or `blocked`; localAudio()/localVideo() read the local one (null
//   before joining), and setLocalAudio()/setLocalVideo() change it through the call machine:
//   the page hears of it as a participant-updated event for the local participant, later;
// - startCamera() is for call objects only: on a frame (createFrame) it logs and throws;
// - camera-error is {action, errorMsg: {errorMsg, audioOk, videoOk}, error: {type, ...}}.
(function () {
  "use strict";
  const handlers = {};
  const DEFAULT_MAX_SIZE = 4096;
  let maxAppMessageSize = DEFAULT_MAX_SIZE;
  let meetingState = "new";
  function tracks() {
    return { audio: { state: "playable" }, video: { state: "playable" } };
  }
  const local = {
    session_id: "5c1e2a90-local-participant", user_id: "5c1e2a90-local-participant",
    user_name: "", local: true, owner: false, audio: true, video: true, tracks: tracks(),
  };
  const replica = {
    session_id: "9b3f61d2-replica-session", user_id: "tavus-replica-r90bbd427f71-2f6c",
    user_name: "DRAKO", local: false, owner: false, audio: true, video: true, tracks: tracks(),
  };
  // The replica is in the room when the page joins, unless a test said otherwise before the
  // page loaded (add_init_script: window.__standIn = {replicaWaits: true}).
  let replicaWaits = Boolean((window.__standIn || {}).replicaWaits);
  const remote = {};  // session_id -> participant, while in the call

  window.__sent = [];     // every message the page sent into the call
  window.__sentTo = [];   // and to whom
  window.__refused = [];  // every message daily-js would have thrown on, and why
  window.__joined = null; // the arguments join() was called with
  window.__left = false;
  window.__replica = replica;
  window.__local = local;
  window.__deviceCalls = [];  // every setLocalAudio/setLocalVideo call: [kind, enabled]

  function emit(eventName, payload) {
    (handlers[eventName] || []).slice().forEach((handler) => handler(payload));
  }

  function copy(value) {
    return JSON.parse(JSON.stringify(value));
  }

  // The test's hook: app-message handlers get {action, data, fromId} as daily-js gives them,
  // from the replica unless the test names another sender's session id.
  window.__emit = function (eventName, data, fromId) {
    const payload = eventName === "app-message"
      ? { action: "app-message", data: data, fromId: fromId === undefined ? replica.session_id : fromId }
      : Object.assign({ action: eventName }, data || {});
    emit(eventName, payload);
  };

  // Someone else joins the room (a stranger with the URL, or the replica coming back).
  window.__addParticipant = function (participant) {
    const joined = Object.assign({ user_name: "", local: false, owner: false }, participant);
    remote[joined.session_id] = joined;
    emit("participant-joined", { action: "participant-joined", participant: copy(joined) });
  };

  window.__removeParticipant = function (sessionId) {
    const gone = remote[sessionId];
    delete remote[sessionId];
    if (gone) emit("participant-left", { action: "participant-left", participant: copy(gone) });
  };

  function setTrack(kind, state, why) {
    const track = { state: state };
    if (why) track[state === "off" ? "off" : "blocked"] = why;
    local.tracks[kind] = track;
    local[kind] = state === "playable" || state === "sendable";
  }

  function localUpdated() {
    emit("participant-updated", { action: "participant-updated", participant: copy(local) });
  }

  // The browser refused a device: daily-js's camera-error, and the local tracks blocked.
  window.__cameraError = function (error, audioOk, videoOk) {
    const media = error.blockedMedia || error.missingMedia || error.failedMedia || ["audio", "video"];
    const reason = error.type === "permissions" ? { byPermissions: true }
      : error.type === "not-found" ? { byDeviceMissing: true } : { byDeviceInUse: true };
    media.forEach((kind) => setTrack(kind, "blocked", reason));
    emit("camera-error", {
      action: "camera-error",
      errorMsg: { errorMsg: error.msg || "", audioOk: audioOk, videoOk: videoOk },
      error: error,
    });
    if (meetingState === "joined-meeting") localUpdated();
  };

  // daily-js takes the limit from the call machine on joining (internal._maxAppMessageSize).
  window.__setMaxAppMessageSize = function (size) {
    maxAppMessageSize = size;
  };

  window.Daily = {
    createFrame(container, options) {
      const box = document.createElement("div");
      box.className = "daily-stand-in";
      box.dataset.testid = "daily-stand-in";
      box.textContent = "DRAKO's video appears here";
      box.style.position = "absolute";
      box.style.inset = "0";
      box.style.display = "grid";
      box.style.placeItems = "center";
      box.style.color = "#9ca3af";
      container.appendChild(box);
      const call = {
        options: options || {},
        on(eventName, handler) {
          (handlers[eventName] = handlers[eventName] || []).push(handler);
          return call;
        },
        off(eventName, handler) {
          handlers[eventName] = (handlers[eventName] || []).filter((h) => h !== handler);
          return call;
        },
        meetingState() {
          return meetingState;
        },
        participants() {
          const all = { local: copy(local) };
          Object.keys(remote).forEach((id) => { all[id] = copy(remote[id]); });
          return all;
        },
        localAudio() {
          return meetingState === "joined-meeting" ? !["blocked", "off"].includes(local.tracks.audio.state) : null;
        },
        localVideo() {
          return meetingState === "joined-meeting" ? !["blocked", "off"].includes(local.tracks.video.state) : null;
        },
        setLocalAudio(enabled) {
          return call._setLocal("audio", enabled);
        },
        setLocalVideo(enabled) {
          return call._setLocal("video", enabled);
        },
        _setLocal(kind, enabled) {
          window.__deviceCalls.push([kind, Boolean(enabled)]);
          // The call machine answers later, with the participant as it now is; a blocked
          // device stays blocked, whatever the page asks.
          Promise.resolve().then(() => {
            if (local.tracks[kind].state === "blocked") return;
            setTrack(kind, enabled ? "playable" : "off", enabled ? null : { byUser: true });
            if (meetingState === "joined-meeting") localUpdated();
          });
          return call;
        },
        startCamera() {
          const message = "startCamera() is only supported on custom callObject instances";
          console.error(message);
          throw new Error(message);
        },
        join(args) {
          window.__joined = args === undefined ? null : copy(args);
          meetingState = "joining-meeting";
          if (args && args.startAudioOff) setTrack("audio", "off", { byUser: true });
          if (args && args.startVideoOff) setTrack("video", "off", { byUser: true });
          return Promise.resolve().then(() => {
            // The replica is in the room already: Tavus starts it with the conversation.
            if (!replicaWaits) remote[replica.session_id] = replica;
            meetingState = "joined-meeting";
            const participants = call.participants();
            emit("joined-meeting", { action: "joined-meeting", participants: participants });
            return participants;
          });
        },
        sendAppMessage(message, to) {
          if (meetingState !== "joined-meeting") {
            window.__refused.push({ message: copy(message), error: "not joined" });
            throw new Error("sendAppMessage() only supported after join.");
          }
          if (JSON.stringify(message).length > maxAppMessageSize) {
            window.__refused.push({ message: copy(message), error: "too large" });
            throw new Error("Message data too large. Max size is " + maxAppMessageSize);
          }
          window.__sent.push(copy(message));
          window.__sentTo.push(to === undefined ? "*" : to);
          return call;
        },
        leave() {
          window.__left = true;
          meetingState = "left-meeting";
          return Promise.resolve().then(() => emit("left-meeting", { action: "left-meeting" }));
        },
        destroy() { return Promise.resolve(); },
      };
      return call;
    },
  };
})();
