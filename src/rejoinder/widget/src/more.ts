/** Loaded when a reader asks for more of the thread: the next or earlier page ("Load more comments",
 * "Show earlier comments"), the rest of a conversation the server cut ("Show N more replies"), and a
 * permalinked reply beyond such a cut. */

import { focusOn } from "./dom";
import type { Plural } from "./strings";
import type { Item, RepliesPage } from "./types";
import type { Widget } from "./widget";

export const MORE_STRINGS = {
  repliesLoaded: { one: "{n} more reply shown", other: "{n} more replies shown" } as Plural,
};

/** Repaints `page` of the thread (sort changed, a permalink on another page). */
async function reload(widget: Widget, page: number): Promise<void> {
  const data = await widget.fetchPage(page);
  widget.open = null;
  widget.items.clear();
  widget.list.replaceChildren();
  widget.drawThreadInfo(data.thread);
  await widget.showPage(data, "replace");
  widget.markViewer();
}

export function changeSort(widget: Widget, sort: string): Promise<void> {
  widget.sort = sort;
  return reload(widget, 1).catch((error) => widget.announce(widget.problemText(error)));
}

/** A permalinked comment that is not on screen: its page, and its batch of replies when it is beyond
 * its conversation's cut; then it is highlighted. */
export async function locate(widget: Widget, id: string): Promise<void> {
  try {
    const answer = await widget.api<{ page: number; reply_offset?: number }>(
      "GET",
      `/api/comments/${encodeURIComponent(id)}/page?sort=${widget.sort}${widget.pageLimit}`,
    );
    await reload(widget, answer.page);
    const item = widget.items.get(id) || (await findReply(widget, id, answer.reply_offset));
    if (item) widget.highlight(item);
  } catch {
    console.warn(`[rejoinder] comment ${id} not found`);
  }
}

/** A permalinked reply beyond its conversation's cut: load batches of replies until it is there. The
 * server says how many replies come before it (`reply_offset` of /page): only conversations longer than
 * that can hold it. */
async function findReply(widget: Widget, id: string, offset: number | undefined): Promise<Item | undefined> {
  for (const button of widget.list.querySelectorAll<HTMLButtonElement>(".rj-more-replies")) {
    const total = Number(button.dataset.offset) + Number(button.dataset.more);
    if (offset != null && total <= offset) continue;
    for (let batch = 0; batch < 100 && !widget.items.has(id) && button.isConnected; batch++) {
      const before = button.dataset.offset;
      await moreReplies(widget, button, false);
      if (button.dataset.offset === before) break;
    }
    if (widget.items.has(id)) return widget.items.get(id);
  }
  return undefined;
}

export async function morePages(widget: Widget, direction: 1 | -1): Promise<void> {
  const button = direction > 0 ? widget.moreButton : widget.earlierButton;
  if (button.getAttribute("aria-disabled")) return;
  button.setAttribute("aria-disabled", "true"); // not disabled: that would drop the keyboard focus
  const last = widget.list.lastElementChild;
  try {
    const data = await widget.fetchPage(direction > 0 ? widget.lastPage + 1 : widget.firstPage - 1);
    await widget.showPage(data, direction > 0 ? "append" : "prepend");
    // Keyboard users continue with the first comment that arrived.
    const first = direction > 0 ? last?.nextElementSibling : button.hidden && widget.list.firstElementChild;
    if (first) focusOn(first as HTMLElement);
  } catch (error) {
    widget.announce(`${widget.t.loadFailed} ${widget.problemText(error as never)}`);
  } finally {
    button.removeAttribute("aria-disabled");
  }
}

/** The next batch of replies of the button's conversation, inserted before the button; the button says
 * how many are left, or goes. `focus`: keyboard users continue with the first reply that arrived. */
export async function moreReplies(widget: Widget, button: HTMLButtonElement, focus: boolean): Promise<void> {
  if (button.getAttribute("aria-disabled")) return;
  const rootId = button.dataset.root as string;
  const offset = Number(button.dataset.offset);
  const holder = button.parentElement as HTMLLIElement;
  button.setAttribute("aria-disabled", "true"); // not disabled: that would drop the keyboard focus
  try {
    const answer = await widget.api<RepliesPage>(
      "GET",
      `/api/comments/${encodeURIComponent(rootId)}/replies?offset=${offset}`,
    );
    Object.assign(widget.counts, answer.reactions);
    const fresh = answer.comments.filter((comment) => !widget.items.has(comment.id));
    const fragment = document.createDocumentFragment();
    for (const comment of fresh) fragment.append(widget.render(comment));
    holder.before(fragment);
    button.dataset.offset = String(offset + answer.comments.length);
    button.dataset.more = String(answer.more);
    if (answer.more > 0 && answer.comments.length) {
      button.textContent = widget.formats.count(widget.t.moreReplies, answer.more);
    } else holder.remove();
    widget.announce(widget.formats.count(widget.withStrings(MORE_STRINGS).repliesLoaded, fresh.length));
    const first = fresh[0] && widget.items.get(fresh[0].id);
    if (focus && first) focusOn(first.li);
    else if (focus && !holder.isConnected) focusOn(widget.heading);
    widget.markViewer();
  } catch (error) {
    widget.announce(`${widget.t.loadFailed} ${widget.problemText(error as never)}`);
  } finally {
    button.removeAttribute("aria-disabled");
  }
}
