/** A comment only its author sees, held for moderation or refused: the note saying why, the website as
 * text (no link goes out from a comment nobody has checked yet), and Appeal. Part of the write part
 * (write.ts), which places the reader's own comments; comment.ts draws the rest of the card. */

import { reportFormButton } from "./comment";
import { h } from "./dom";
import { fill } from "./i18n";
import type { CommentData, Item } from "./types";
import type { Widget } from "./widget";

export const HELD_STRINGS = {
  held: "Awaiting moderation: only you can see this comment.",
  refused: "Not published: {msg}",
  appeal: "Appeal",
  appealSent: "Appeal sent",
};

/** Why the reader's comment waits or was refused, in the reader's language (the server's English sentence
 * otherwise): its note, and what is announced when it is posted (own.ts). */
export function heldNote(widget: Widget, comment: CommentData): string {
  const t = widget.withStrings(HELD_STRINGS);
  const reason = t.reasons?.[comment.reason_code as string] || comment.reason;
  return comment.status === "pending"
    ? t.held + (reason ? ` ${reason}` : "")
    : fill(t.refused, { msg: reason || "" }).replace(/[\s:]+$/, "");
}

export function markHeld(widget: Widget, item: Item): void {
  const t = widget.withStrings(HELD_STRINGS);
  const comment = item.comment;
  const actions = item.actions as HTMLDivElement;
  item.li.classList.add("rj-held");
  (item.likeButton as HTMLButtonElement).hidden = true;
  const website = comment.author.website;
  if (website) item.li.querySelector(".rj-name")?.after(h("span", { class: "rj-site", text: website }));
  (item.text as HTMLDivElement).before(h("p", { class: "rj-note", text: heldNote(widget, comment) }));
  // The author may appeal once (with the comment's edit token, or signed in as its author).
  if (comment.can_appeal && (widget.editTokens[comment.id] || widget.client.token)) {
    item.appealButton = reportFormButton(widget, item, "appeal", t.appeal);
    actions.append(item.appealButton);
  } else if (comment.appealed) actions.append(h("span", { class: "rj-left", text: t.appealSent }));
}
