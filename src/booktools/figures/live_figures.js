/* Swaps the picture of a live figure's gallery (booktools.figures.live_figures) when one of its controls moves.
   Dependency-free; the pictures and captions are the JSON embedded next to the gallery. Several
   galleries share one window: the script is defined once. */
window.LiveFigureGallery = window.LiveFigureGallery || (function () {
  "use strict";

  function render(root) {
    if (!root || root.getAttribute("data-lf-rendered")) return;
    var data = JSON.parse(document.getElementById(root.id + "-data").textContent);
    var inputs = Array.prototype.slice.call(root.querySelectorAll("[data-lf-axis]"));
    var picture = root.querySelector("img.lf-picture"), caption = root.querySelector(".lf-caption");

    function show() {
      var index = 0;
      inputs.forEach(function (input, axis) {
        var position = Number(input.value);
        index = index * data.shape[axis] + position;
        var value = input.parentNode.querySelector("output.lf-value");
        if (value) value.textContent = data.labels[axis][position];
      });
      picture.src = "data:image/png;base64," + data.images[index];
      picture.alt = caption.textContent = data.captions[index];
    }

    inputs.forEach(function (input) {
      input.addEventListener("input", show);
      input.addEventListener("change", show);
    });
    show();
    root.setAttribute("data-lf-rendered", "1");
  }

  return {render: render};
})();
