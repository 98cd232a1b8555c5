// The browser's time zone, where a page asks for it (no inline script: the CSP allows only files).
//
// - Sign-up: the hidden `time_zone` field gets it, so a new profile starts in the member's own zone.
// - Every signed-in page: when it differs from the profile's, the layout's offer appears
//   ("This device is set to Europe/London; your profile says America/New_York").
//   "Keep" hides it in this browser for that pair of zones; "Use" saves it on the profile.
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (!zone) return;

  document.querySelectorAll("input[data-browser-time-zone]").forEach(function (input) {
    if (!input.value) input.value = zone;
  });

  var offer = document.querySelector("[data-time-zone-offer]");
  if (!offer) return;
  var saved = offer.getAttribute("data-time-zone-offer");
  var kept = "timeZoneKept:" + zone + ">" + saved;
  var remembered = false;
  try {
    remembered = window.localStorage.getItem(kept) === "1";
  } catch (e) { /* storage refused: the offer shows again next time */ }
  if (zone === saved || remembered) return;

  offer.querySelectorAll("[data-browser-time-zone-name]").forEach(function (el) { el.textContent = zone; });
  offer.querySelector("input[name=time_zone]").value = zone;
  offer.querySelector("[data-time-zone-keep]").addEventListener("click", function () {
    try { window.localStorage.setItem(kept, "1"); } catch (e) { /* hidden for this page only */ }
    offer.hidden = true;
  });
  offer.hidden = false;
})();
