// "Copy with attribution" on library pages: the quote and its attribution go to the clipboard.
// Where the browser has no clipboard API (or refuses it), the text is shown selected instead,
// with a message saying how to copy it by hand. No inline script: the CSP allows only this file.
(function () {
  "use strict";

  function showFallback(box, area, status) {
    area.hidden = false;
    area.focus();
    area.select();
    status.textContent = box.getAttribute("data-fallback");
  }

  function copy(event) {
    var button = event.currentTarget;
    var box = button.closest(".copy");
    var area = document.getElementById(button.getAttribute("aria-controls"));
    var status = box.querySelector(".copy-status");
    if (!navigator.clipboard || !navigator.clipboard.writeText) {
      showFallback(box, area, status);
      return;
    }
    navigator.clipboard.writeText(area.value).then(
      function () {
        status.textContent = box.getAttribute("data-copied");
      },
      function () {
        showFallback(box, area, status);
      }
    );
  }

  document.querySelectorAll(".copy-button").forEach(function (button) {
    button.addEventListener("click", copy);
  });
})();
