/** Liking the article and comments (part of the actions part, actions.ts). */

import type { Item, ThreadPage } from "./types";
import type { Widget } from "./widget";

export async function likeArticle(widget: Widget): Promise<void> {
  const button = widget.likeButton;
  const on = button.getAttribute("aria-pressed") !== "true";
  button.disabled = true;
  try {
    const author = widget.storage.load<{ name?: string }>("author");
    const answer = await widget.api<{ liked: boolean; likes: number }>(
      on ? "PUT" : "DELETE",
      `/api/threads/like?${widget.query}`,
      on ? { name: author?.name || null, title: widget.title } : undefined,
      true,
    );
    widget.likedThread = answer.liked;
    await refreshLikes(widget, answer.likes);
    widget.announce(widget.likeText.textContent as string);
  } catch (error) {
    widget.announce(widget.problemText(error as never));
  } finally {
    button.disabled = false;
  }
}

/** The likes row again (the recent likers changed); `count` serves when the thread cannot be read. */
export async function refreshLikes(widget: Widget, count?: number): Promise<void> {
  const fresh = await widget.api<ThreadPage>("GET", `/api/threads?${widget.query}&limit=1`).catch(() => null);
  const thread = fresh ? fresh.thread : { count: 0, likes: { count: count || 0, recent: [] } };
  widget.drawThreadInfo({ ...thread, count: widget.count });
}

export async function likeComment(widget: Widget, item: Item): Promise<void> {
  const button = item.likeButton as HTMLButtonElement;
  const on = button.getAttribute("aria-pressed") !== "true";
  button.disabled = true;
  try {
    const answer = await widget.api<{ liked: boolean; likes: number }>(
      on ? "PUT" : "DELETE",
      `/api/comments/${item.comment.id}/like`,
      undefined,
      true,
    );
    button.setAttribute("aria-pressed", String(answer.liked));
    (item.likeCount as HTMLSpanElement).textContent = answer.likes ? widget.formats.digits(answer.likes) : "";
    if (answer.liked) widget.liked.add(item.comment.id);
    else widget.liked.delete(item.comment.id);
  } catch (error) {
    widget.announce(widget.problemText(error as never));
  } finally {
    button.disabled = false;
  }
}
