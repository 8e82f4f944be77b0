// Comfort only: the server checks every answer again. Saves what is filled in as it changes, so a
// reload or a lost connection keeps it, and marks unanswered questions before sending.
(function () {
  "use strict";
  var form = document.getElementById("kuesioner");
  if (!form) { return; }
  var timer = null;
  function save() {
    var data = new FormData(form);
    data.set("aksi", "simpan");
    fetch(window.location.pathname, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-Autosave": "1" }
    }).catch(function () { /* offline: the next change tries again */ });
  }
  form.addEventListener("change", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 400);
  });
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.value === "simpan") { return; }
    var first = null;
    form.querySelectorAll("fieldset.item").forEach(function (set) {
      var inputs = set.querySelectorAll("input[required]");
      var missing = false;
      if (inputs.length && inputs[0].type === "radio") {
        missing = !set.querySelector("input:checked");
      } else {
        inputs.forEach(function (input) { if (!input.checkValidity()) { missing = true; } });
      }
      set.classList.toggle("invalid", missing);
      if (missing && !first) { first = set; }
    });
    if (first) {
      event.preventDefault();
      first.scrollIntoView({ behavior: "smooth", block: "center" });
    }
  });
}());
