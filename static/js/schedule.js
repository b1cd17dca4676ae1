// Schedule pages: "+N more" groups behave like a popover, and "All day" makes an event free.
(function () {
  "use strict";

  // One group open at a time, like a menu: the rest of the grid is inert under it (so nothing
  // half-covered can be pressed by mistake); Escape or a click elsewhere closes it.
  const groups = Array.from(document.querySelectorAll("details.event-group"));
  const controls = Array.from(document.querySelectorAll(".calendar a, .calendar details"));
  groups.forEach(function (group) {
    group.addEventListener("toggle", function () {
      if (group.open) groups.forEach(function (other) { if (other !== group) other.open = false; });
      const open = groups.some(function (g) { return g.open; });
      controls.forEach(function (el) { el.inert = open && !el.contains(group) && !group.contains(el); });
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    groups.forEach(function (group) {
      if (!group.open) return;
      group.open = false;
      group.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    groups.forEach(function (group) {
      if (group.open && !group.contains(event.target)) group.open = false;
    });
  });

  // An event opened from search: bring it into view.
  const found = document.querySelector(".calendar [aria-current='true']");
  if (found) found.scrollIntoView({ block: "center" });

  // All-day events are free unless the person says otherwise, as everywhere in DRAKO.
  const allDay = document.getElementById("id_all_day");
  const showAs = document.getElementById("id_show_as");
  if (allDay && showAs) {
    let chosen = false;
    showAs.addEventListener("change", function () { chosen = true; });
    allDay.addEventListener("change", function () {
      if (!chosen) showAs.value = allDay.checked ? "free" : "busy";
    });
  }
})();
