// Proposes the browser's own IANA zone in the sign-up form's time-zone box (the user can change
// it). The server also accepts the legacy names some browsers report (Asia/Calcutta).
(function () {
  const form = document.querySelector("[data-propose-timezone]");
  const input = form && form.querySelector("input[name=time_zone]");
  if (!input) return;
  let zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!zone || (input.value && input.value !== "UTC")) return;
  const list = input.list;
  const option = list && [...list.options].find((o) => o.value === zone);
  input.value = zone;
  const note = document.createElement("p");
  note.className = "help";
  note.textContent = "We picked " + (option ? option.label : zone) + " from your browser. Change it if it's wrong.";
  input.insertAdjacentElement("afterend", note);
})();
