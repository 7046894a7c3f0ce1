/** The "Email me …" boxes under the comment form, and the subscription asked for once the comment is
 * posted (POST /api/subscriptions; docs/notifications.md). Part of the write part: no first-paint cost. */

import { isProblem } from "./api";
import { h } from "./dom";
import type { Widget } from "./widget";

export const SUB_STRINGS = {
  subReplies: "Email me replies to my comment",
  subThread: "Email me new comments on this article",
  subCheckInbox: "Check your inbox: confirm with the link we sent you.",
  subActive: "Subscribed: you will be emailed about new comments.",
};

export interface SubBoxes {
  row: HTMLElement;
  replies: HTMLInputElement;
  thread: HTMLInputElement;
}

function box(widget: Widget, name: string, checked: boolean, label: string): [HTMLInputElement, HTMLElement] {
  const input = h("input", { type: "checkbox", name, checked, id: widget.nextId() });
  return [input, h("div", { class: "rj-check" }, input, h("label", { for: input.id, text: label }))];
}

/** The boxes, ticked as the site says; none when the server sends no email. */
export function subscriptionBoxes(widget: Widget): SubBoxes | null {
  const offered = widget.settings.subscriptions;
  if (!offered?.available) return null;
  const t = widget.withStrings(SUB_STRINGS);
  const [replies, one] = box(widget, "subscribe_replies", !!offered.replies, t.subReplies);
  const [thread, two] = box(widget, "subscribe_thread", !!offered.thread, t.subThread);
  return { row: h("div", { class: "rj-subs" }, one, two), replies, thread };
}

/** After a comment was posted: follow what the reader ticked, batched per minute (the manage page in every
 * email offers a daily digest). Says what happens next (check the inbox, or subscribed) or why not (no
 * email address given: the server's email-required); a refusal never undoes the posted comment. */
export async function subscribeAfterPost(
  widget: Widget,
  boxes: SubBoxes,
  comment: string,
  email: string | null,
): Promise<void> {
  const kinds = [boxes.replies.checked && "replies", boxes.thread.checked && "thread"].filter(Boolean);
  if (!kinds.length) return;
  const t = widget.withStrings(SUB_STRINGS);
  const body: Record<string, unknown> = { url: widget.url, kinds, comment, email, lang: widget.language };
  if (widget.options.key) body.key = widget.options.key;
  try {
    const done = await widget.api<{ state: string }>("POST", "/api/subscriptions", body, true);
    widget.announce(done.state === "active" ? t.subActive : t.subCheckInbox);
  } catch (error) {
    if (!isProblem(error)) throw error;
    widget.announce(widget.problemText(error));
  }
}
