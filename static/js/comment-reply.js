/* Reply links move the "Leave a Reply" form under the comment being answered, inside
   its <li> and above its replies, as the page does without this script: there a Reply
   link (?replytocom=<id>#respond) loads the page with the form in that place. No inline
   script, so a strict CSP can forbid those. */
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  var parentInput = document.getElementById("comment_parent");
  var cancel = document.getElementById("cancel-comment-reply-link");
  var replyName = document.getElementById("reply-to-name");
  if (!respond || !parentInput || !cancel || !replyName) {
    return;
  }
  // Where the form stands when it answers nobody: after the list of comments. The page
  // may have been sent with the form under a comment already (?replytocom).
  var home = document.createElement("div");
  home.id = "respond-home";
  home.hidden = true;
  var list = respond.closest(".comment-list");
  if (list) {
    list.parentNode.insertBefore(home, list.nextSibling);
  } else {
    respond.parentNode.insertBefore(home, respond);
  }

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
    var body = item ? item.querySelector(":scope > .comment-body") : null;
    if (!body) {
      return;
    }
    event.preventDefault();
    item.insertBefore(respond, body.nextSibling);
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
