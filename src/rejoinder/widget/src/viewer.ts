/** What this reader liked, and wrote that is not public (held or refused): GET /api/viewer (asked for
 * by the widget at start), merged into the thread on screen. Part of the write part (write.ts). */

import { placeComment } from "./place";
import type { ViewerState } from "./types";
import type { Widget } from "./widget";

/** The answer of GET /api/viewer: what this reader liked, and their comments that are held or refused. */
export async function readViewer(widget: Widget, answer: Promise<ViewerState>): Promise<void> {
  const read = () => widget.api<ViewerState>("GET", `/api/viewer?${widget.query}`, undefined, true);
  // A session that ended answers 401 and is forgotten (onSessionLost): then ask again as a guest.
  widget.viewer = (await answer
    .catch((error) => (error.status === 401 && !widget.client.token ? read() : null))
    .catch(() => null)) || { liked: [], own: [] };
  markViewer(widget);
}

/** Applies the reader's own state to the thread on screen, once both are there (whichever comes first). */
export function markViewer(widget: Widget): void {
  const viewer = widget.viewer;
  if (!viewer || !widget.shown) return;
  widget.likedThread = viewer.liked_thread;
  widget.liked = new Set(viewer.liked);
  widget.likeButton.setAttribute("aria-pressed", String(!!viewer.liked_thread));
  for (const [id, item] of widget.items) {
    item.likeButton?.setAttribute("aria-pressed", String(widget.liked.has(id)));
  }
  for (const comment of viewer.own.concat(viewer.refused || [])) {
    if (!widget.items.has(comment.id) && !comment.deleted) placeComment(widget, comment, false);
  }
}
