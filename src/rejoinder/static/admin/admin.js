// Keyboard shortcuts for rejoinder's moderation queues. Progressive enhancement only: every action is a
// plain form or link that works without this file; the keys press the same buttons a mouse would.
// j/k move between comments, a approve, r reject (then 1-9 picks the reason, Enter confirms), s spam,
// b ban the author, f feature, p pin, c reply, x select for bulk, ? show or hide the list of keys.
(function () {
  "use strict";

  var items = Array.prototype.slice.call(document.querySelectorAll("article.rj-item[data-id]"));
  if (!items.length) {
    return;
  }
  var current = null;
  var choosing = null; // the reject reason <select> while a reason is being picked

  function select(item, scroll) {
    if (current) {
      current.classList.remove("rj-current");
    }
    current = item;
    if (!item) {
      return;
    }
    item.classList.add("rj-current");
    item.focus({ preventScroll: !scroll });
    if (scroll) {
      item.scrollIntoView({ block: "nearest" });
    }
  }

  function move(step) {
    var index = current ? items.indexOf(current) : -1;
    var next = items[Math.min(items.length - 1, Math.max(0, index + step))];
    select(next, true);
  }

  function press(selector) {
    var target = current && current.querySelector(selector);
    if (target) {
      target.click();
      return true;
    }
    return false;
  }

  function startChoosing() {
    var reason = current && current.querySelector("select.rj-reason");
    if (!reason) {
      return;
    }
    choosing = reason;
    reason.parentNode.classList.add("rj-choosing");
    reason.focus();
  }

  function stopChoosing() {
    if (choosing) {
      choosing.parentNode.classList.remove("rj-choosing");
      choosing = null;
    }
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || (tag === "SELECT" && target !== choosing) ||
      (target && target.isContentEditable);
  }

  // Start where the server sent us back (#c-ID after an action), else at the first comment.
  var start = location.hash.indexOf("#c-") === 0 ? document.getElementById(location.hash.slice(1)) : null;
  select(start && items.indexOf(start) >= 0 ? start : items[0], Boolean(start));

  items.forEach(function (item) {
    item.addEventListener("focusin", function () {
      if (current !== item) {
        if (current) {
          current.classList.remove("rj-current");
        }
        current = item;
        item.classList.add("rj-current");
      }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) {
      return;
    }
    var key = event.key;
    if (choosing) {
      if (/^[1-9]$/.test(key) && Number(key) <= choosing.options.length) {
        choosing.selectedIndex = Number(key) - 1;
        event.preventDefault();
        press("button.rj-rejectb");
      } else if (key === "Enter") {
        event.preventDefault();
        press("button.rj-rejectb");
      } else if (key === "Escape") {
        event.preventDefault();
        stopChoosing();
        select(current, false);
      }
      return;
    }
    if (typing(event.target)) {
      return;
    }
    var handled = true;
    switch (key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a": handled = press("button.rj-approve"); break;
      case "r": startChoosing(); break;
      case "s": handled = press('button[value="spam"]'); break;
      case "b": handled = press('a[data-key="b"]'); break;
      case "f": handled = press('button[data-key="f"]'); break;
      case "p": handled = press('button[data-key="p"]'); break;
      case "x": handled = press("input.rj-pick"); break;
      case "c":
        var reply = current && current.querySelector("details.rj-reply");
        if (reply) {
          reply.open = true;
          reply.querySelector("textarea").focus();
        }
        break;
      case "?":
        var keys = document.getElementById("rj-keys");
        if (keys) {
          keys.classList.toggle("rj-hidden");
        }
        break;
      default: handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  });
})();
