/* The testimonial wall, for sites that prefer a script tag to an iframe:
 *   <script src="https://advocacy.firm.example/static/wall.js"
 *           data-wall="https://advocacy.firm.example/wall?service_line=3" async></script>
 * It only inserts the iframe of the wall next to itself: no cookie, no tracking, no other request. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var address = script.getAttribute("data-wall") || "";
  if (!/^https?:\/\//.test(address)) return;
  var frame = document.createElement("iframe");
  frame.src = address;
  frame.title = script.getAttribute("data-title") || "What our clients say";
  frame.width = "100%";
  frame.height = String(parseInt(script.getAttribute("data-height"), 10) || 600);
  frame.loading = "lazy";
  frame.referrerPolicy = "no-referrer";
  frame.style.border = "0";
  script.parentNode.insertBefore(frame, script);
})();
