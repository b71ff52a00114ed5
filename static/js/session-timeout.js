// Warn before a signed-in session ends and let the person extend it.
//
// The page tells how many seconds the session has left and how early to
// warn (data attributes of #session-timeout). At that point a modal dialog
// opens with the button "Sitzung verlängern", which asks the server for a
// new idle window without leaving the page, so nothing typed is lost. When
// the time has run out, the dialog says so instead. Without this script the
// dialog never shows and every page works as before.
"use strict";

(function () {
  const dialog = document.getElementById("session-timeout");
  const status = document.getElementById("session-status");
  if (!dialog || typeof dialog.showModal !== "function") {
    return;
  }
  const form = dialog.querySelector("form[data-session-extend]");
  const message = document.getElementById("session-timeout-message");
  let warnTimer = null;
  let endTimer = null;

  function open() {
    if (!dialog.open) {
      dialog.showModal();
    }
  }

  function ended() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    message.textContent = dialog.dataset.textEnded;
    form.hidden = true;
    open();
  }

  function schedule(secondsLeft) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    const warnBefore = Number(dialog.dataset.warnBefore);
    warnTimer = setTimeout(open, Math.max(0, secondsLeft - warnBefore) * 1000);
    endTimer = setTimeout(ended, secondsLeft * 1000);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          ended();
          return;
        }
        return response.json().then(function (data) {
          dialog.close();
          status.textContent = status.dataset.textExtended;
          schedule(data.expires_in);
        });
      })
      .catch(function () {
        // No connection: the dialog stays open and the button can be
        // pressed again.
      });
  });

  schedule(Number(dialog.dataset.expiresIn));
})();
