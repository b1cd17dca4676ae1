// Proposes the browser's own IANA zone in the sign-up form's time-zone list (the user can change it).
(function () {
  const form = document.querySelector("[data-propose-timezone]");
  const select = form && form.querySelector("select[name=time_zone]");
  if (!select || select.dataset.touched) return;
  let zone;
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (zone && select.value === "UTC" && [...select.options].some((o) => o.value === zone)) {
    select.value = zone;
    const note = document.createElement("p");
    note.className = "help";
    note.textContent = "We picked " + zone + " from your browser. Change it if it's wrong.";
    select.insertAdjacentElement("afterend", note);
  }
})();
