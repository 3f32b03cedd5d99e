/* Reply links move the "Leave a Reply" form under the comment being answered.
   Without this script the links still work: ?replytocom=<id>#respond reloads the page
   with the form set to reply. No inline script, so a strict CSP can forbid those. */
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var parentInput = document.getElementById("comment_parent");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var replyName = document.getElementById("reply-to-name");
  if (!respond || !parentInput || !cancel || !replyName) {
    return;
  }
  var home = document.createElement("div");
  home.id = "respond-home";
  home.hidden = true;
  respond.parentNode.insertBefore(home, respond);

  function focusText() {
    var text = document.getElementById("comment");
    if (text) {
      text.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".comment-reply-link") : null;
    if (!link) {
      return;
    }
    var item = document.getElementById("comment-" + link.dataset.commentid);
    if (!item) {
      return;
    }
    event.preventDefault();
    item.appendChild(respond);
    parentInput.value = link.dataset.commentid;
    replyName.textContent = " to " + link.dataset.replyto;
    cancel.hidden = false;
    focusText();
  });

  cancel.addEventListener("click", function (event) {
    event.preventDefault();
    home.parentNode.insertBefore(respond, home);
    parentInput.value = "0";
    replyName.textContent = "";
    cancel.hidden = true;
    focusText();
  });
})();
