/* The comment form's own script.

   1. After a refused post, keyboard focus goes to the list of what to fix
      (#comment-errors), so keyboard and screen reader users start there.
   2. "Save my name, email, and website": the page is the same for every reader, so it
      carries nobody's details; this asks for this browser's own (comments:author-details,
      from its HttpOnly cookie) and fills the fields still empty. It asks once, when the
      reader first comes to the form, not on every page view: most readers never
      comment, and a request per view would send each of them to the application server
      behind the page cache. Without scripts, autocomplete="name"/"email"/"url" lets the
      browser fill the fields instead. No inline script, so the CSP can forbid those. */
(function () {
  "use strict";
  var form = document.getElementById("commentform");
  if (!form) {
    return;
  }

  var summary = document.getElementById("comment-errors");
  if (summary) {
    // Once the page has loaded: going to the address's #respond resets the focus.
    window.addEventListener("load", function () {
      summary.focus();
    });
  }

  // Only on a blank form: one sent back after an error holds what the reader typed.
  var detailsUrl = form.dataset.authorDetails;
  if (!detailsUrl || !window.fetch) {
    return;
  }

  function fill(details) {
    var found = false;
    ["author", "email", "url"].forEach(function (name) {
      var field = form.elements.namedItem(name);
      var value = details[name];
      if (typeof value !== "string" || !value) {
        return;
      }
      found = true;
      // Not a field the reader has typed in, nor the one they are in: they may be
      // about to type there.
      if (field && !field.value && field !== document.activeElement) {
        field.value = value;
      }
    });
    var consent = document.getElementById("wp-comment-cookies-consent");
    if (found && consent) {
      consent.checked = true;
    }
  }

  function askOnce() {
    form.removeEventListener("focusin", askOnce);
    fetch(detailsUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : {};
      })
      .then(fill)
      .catch(function () {
        // Nothing remembered can be had: the reader types their details.
      });
  }

  form.addEventListener("focusin", askOnce);
})();
