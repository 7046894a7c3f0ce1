/** Where a comment that was not in the page as the server sent it goes: the reader's new comment, or their
 * own held one merged in. Part of the write part (write.ts); the first paint renders pages in order. */

import { focusOn } from "./dom";
import type { CommentData } from "./types";
import type { Widget } from "./widget";

/** Inserts a comment after its parent's last descendant (or at the end / the top, below the pinned,
 * for new top-level comments); `focus`: a new comment of this reader, highlighted and focused; `fresh`:
 * highlighted (live.ts: new comments the reader asked to see). */
export function placeComment(widget: Widget, comment: CommentData, focus: boolean, fresh = focus): HTMLLIElement {
  const li = widget.render(comment);
  const parent = comment.parent ? widget.items.get(comment.parent) : undefined;
  if (parent) {
    let next = parent.li.nextElementSibling;
    while (next && depthOf(widget, next) > parent.comment.depth) next = next.nextElementSibling;
    widget.list.insertBefore(li, next);
  } else if (widget.sort === "newest") {
    widget.list.insertBefore(li, widget.list.querySelector(".rj-depth-0:not(.rj-pinned)"));
  } else widget.list.append(li);
  if (fresh) {
    li.classList.add("rj-new");
    setTimeout(() => li.classList.remove("rj-new"), 4000); // the highlight fades (CSS transition)
  }
  if (focus) focusOn(li, "center");
  return li;
}

/** The depth of the comment an element of the list shows (-1 for anything else, e.g. "more replies"). */
export function depthOf(widget: Widget, element: Element): number {
  const item = widget.items.get(element.id.slice(8));
  return item ? item.comment.depth : -1;
}
