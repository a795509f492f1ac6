// The registry's intake and receipt, made more comfortable; both pages work
// without this script.
// - In the intake form, choosing another document type replaces the type's
//   fields with that type's (fetched from the same page, step 2), keeping
//   what was typed about the petitioner. Without the script the form still
//   posts, and the link "another document type" goes back to step 1.
// - On the receipt page, the print button (hidden without the script) prints.
(function () {
  var print = document.querySelector('[data-print]');
  if (print) {
    print.hidden = false;
    print.addEventListener('click', function () { window.print(); });
  }
  var form = document.getElementById('intake-form');
  var select = document.getElementById('document_type');
  var fields = document.getElementById('type-fields');
  if (!form || !select || !fields || !window.fetch || !window.DOMParser) return;
  var base = form.getAttribute('data-fields');
  select.addEventListener('change', function () {
    var code = select.value;
    fields.setAttribute('aria-busy', 'true');
    fetch(base + encodeURIComponent(code), { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, 'text/html');
        var next = page.getElementById('type-fields');
        if (!next || select.value !== code) return;
        fields.replaceChildren.apply(fields, Array.prototype.slice.call(next.childNodes).map(function (n) {
          return document.importNode(n, true);
        }));
        if (window.history && history.replaceState) {
          history.replaceState(null, '', '/desk/intake?document_type=' + encodeURIComponent(code));
        }
      })
      .catch(function () {
        // The fields could not be fetched: load step 2 of the chosen type.
        window.location.href = '/desk/intake?document_type=' + encodeURIComponent(code);
      })
      .then(function () { fields.removeAttribute('aria-busy'); });
  });
})();
