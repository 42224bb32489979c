// Tapping the area map chooses the square under the finger in the "square" list (which works without this).
(function () {
  "use strict";
  var map = document.getElementById("area-map");
  var select = document.getElementById("id_map_cell");
  if (!map || !select) {
    return;
  }
  var columns = "ABCDEFGH";
  map.addEventListener("click", function (event) {
    var box = map.getBoundingClientRect();
    var column = Math.min(7, Math.floor(((event.clientX - box.left) / box.width) * 8));
    var row = Math.min(7, Math.floor(((event.clientY - box.top) / box.height) * 8));
    select.value = columns.charAt(column) + String(row + 1);
    select.dispatchEvent(new Event("change"));
    select.focus();
  });
})();
