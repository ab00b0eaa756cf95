// The language chooser at the site's root: puts the language the browser asks for first and
// marks it, so Enter or a tap on the first choice does what most readers want. It never
// redirects and remembers nothing (no cookie, no storage): without it, the page works the same.
(function () {
  var list = document.querySelector(".choices");
  if (!list || !navigator.languages) return;
  var items = Array.prototype.slice.call(list.querySelectorAll("li[data-lang]"));
  var wanted = navigator.languages.length ? navigator.languages : [navigator.language || ""];
  for (var i = 0; i < wanted.length; i++) {
    var code = String(wanted[i]).toLowerCase().split("-")[0];
    for (var j = 0; j < items.length; j++) {
      if (items[j].getAttribute("data-lang").toLowerCase() === code) {
        items[j].classList.add("preferred");
        list.insertBefore(items[j], list.firstChild);
        return;
      }
    }
  }
})();
