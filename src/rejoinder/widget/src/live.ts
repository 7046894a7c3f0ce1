/** Live updates (part of the actions part, loaded when the browser is idle after the first paint): the thread's changes as they
 * happen (GET /api/threads/live, Server-Sent Events; docs/notifications.md, "Live updates"). Where there is
 * no EventSource, or the server refuses a stream (too many, or live updates off), the pages on screen are
 * read again every `data-live-poll` seconds while the tab is visible (a 304 by ETag when nothing changed).
 *
 * Nothing moves under the reader: new comments wait behind "N new comments · Show", a button in a sticky
 * box of no height (it takes no room in the page), and go in place when the reader asks. Edits, likes, a
 * comment that stops being public, reaction counts and the thread closing or opening apply in place at once. */

import { isPublic } from "./comment";
import { h } from "./dom";
import { depthOf, placeComment } from "./place";
import type { Plural } from "./strings";
import type { CommentData, Item, ThreadPage } from "./types";
import type { Widget } from "./widget";

export const LIVE_STRINGS = {
  newComments: { one: "{n} new comment", other: "{n} new comments" } as Plural,
  show: "Show",
};

/** Seconds between two reads of the thread where there is no stream (data-live-poll; at least 1). */
const POLL_SECONDS = 30;

/** What a reader sees of a comment: when one of these changed, it is drawn again. */
function look(comment: CommentData): string {
  return JSON.stringify([comment.html, comment.edited, comment.pinned, comment.featured, comment.deleted]);
}

/** Follows the thread on screen; does nothing with data-live="off". */
export function follow(widget: Widget): void {
  if (widget.options.live === "off") return;
  const t = widget.withStrings(LIVE_STRINGS);
  /** Comments that arrived and wait for "Show", in the order they came (a parent before its replies). */
  const pending = new Map<string, CommentData>();
  const button = h(
    "button",
    { type: "button", class: "rj-btn rj-primary", hidden: true, onclick: () => show() },
    t.show, // named even while hidden
  );
  // data-state: "live" while a stream is open, "poll" while the thread is read every so often.
  const box = h("div", { class: "rj-fresh" }, button);
  widget.earlierButton.before(box);

  /** What was heard while the reader's own post, edit or delete was in flight (own.ts `mine`), in the
   * order it came: applied after the answer is drawn, so that the reader's own comment is neither drawn
   * over its open form nor counted as a new one. */
  const held: (() => void)[] = [];
  const gate = (apply: () => void): void => {
    if (widget.mine || held.length) held.push(apply);
    else apply();
  };
  widget.settled = () => {
    while (!widget.mine && held.length) (held.shift() as () => void)();
  };

  /** Those that can be shown where they belong: top-level, or under a parent on screen or waiting too. */
  const waiting = (): CommentData[] => {
    for (const id of pending.keys()) if (widget.items.has(id)) pending.delete(id); // placed meanwhile
    return [...pending.values()].filter(
      (comment) => !comment.parent || widget.items.has(comment.parent) || pending.has(comment.parent),
    );
  };

  const draw = (announce?: boolean): void => {
    const count = waiting().length;
    button.hidden = !count;
    if (!count) return;
    const words = widget.formats.count(t.newComments, count);
    button.textContent = `${words} · ${t.show}`;
    if (announce) widget.announce(words);
  };

  const show = (): void => {
    let first: HTMLLIElement | undefined;
    for (const comment of waiting()) {
      if (comment.parent && !widget.items.has(comment.parent)) continue;
      const li = placeComment(widget, comment, !first, true); // the first is focused and scrolled to
      first = first || li;
      if (isPublic(comment)) widget.setCount(widget.count + 1);
    }
    pending.clear();
    draw();
  };

  /** Draws a comment on screen again; an open form under it (a reply, a report) stays, with its text. */
  const redraw = (item: Item, comment: CommentData): void => {
    const focused = item.li.contains(document.activeElement); // the reader was on it: stay there
    const li = widget.render(comment); // the fresh card is now the item of this id
    if (widget.open?.item === item && item.text) {
      const fresh = widget.items.get(comment.id) as Item;
      item.text.replaceWith(fresh.text as HTMLDivElement);
      Object.assign(item, { comment, text: fresh.text });
      widget.items.set(comment.id, item);
      setLikes(item, comment.likes);
    } else {
      item.li.replaceWith(li);
      if (focused) {
        li.tabIndex = -1;
        li.focus();
      }
    }
  };

  const setLikes = (item: Item, likes: number): void => {
    item.comment.likes = likes;
    if (item.likeCount) item.likeCount.textContent = likes ? widget.formats.digits(likes) : "";
  };

  const onComment = (comment: CommentData): void => {
    const item = widget.items.get(comment.id);
    if (item) {
      if (look(item.comment) !== look(comment)) redraw(item, comment);
      else setLikes(item, comment.likes);
    } else if (isPublic(comment) && !comment.deleted) {
      const known = pending.has(comment.id);
      pending.set(comment.id, comment);
      draw(!known);
    }
  };

  const onRemoved = (id: string): void => {
    const item = widget.items.get(id);
    if (pending.delete(id) || !item) {
      draw();
      return;
    }
    if (item.comment.deleted) return; // the reader's own deletion, already drawn and counted
    if (widget.open?.item === item) widget.open.close();
    widget.setCount(widget.count - 1);
    const next = item.li.nextElementSibling;
    // With its replies on screen it stays as a placeholder, as the thread read shows it.
    if (next && depthOf(widget, next) > item.comment.depth) redraw(item, { ...item.comment, deleted: true });
    else {
      item.li.remove();
      widget.items.delete(id);
    }
  };

  const onLikes = (data: { comment: string | null; likes: number }): void => {
    if (data.comment == null) {
      widget.likeText.textContent = data.likes ? widget.formats.count(widget.t.likes, data.likes) : widget.t.firstLike;
      return;
    }
    const item = widget.items.get(data.comment);
    if (item) setLikes(item, data.likes);
    const waitingComment = pending.get(data.comment);
    if (waitingComment) waitingComment.likes = data.likes;
  };

  /** A comment's (or the article's) reaction counts: kept for when it is drawn, and drawn in place when
   * the reactions part is here (the site offers reactions). */
  const onReactions = (data: {
    comment: string | null;
    reactions: Record<string, number>;
    reactors: number | null;
  }): void => {
    const target = data.comment || "";
    widget.counts[target] = data.reactions;
    const info = widget.info?.reactions;
    if (!data.comment && info) {
      info.kinds = data.reactions;
      info.count = data.reactors || 0;
    }
    widget.social?.redraw(widget, target);
  };

  /** The pages on screen read again: new comments wait, changed ones are drawn again, the counts follow. */
  const revalidate = async (): Promise<void> => {
    for (let page = widget.firstPage; page <= widget.lastPage; page++) {
      let data: ThreadPage;
      try {
        data = await widget.fetchPage(page);
      } catch {
        return; // offline for now: the next round tries again
      }
      gate(() => {
        for (const comment of data.comments) onComment(comment);
        const thread = data.thread;
        widget.drawThreadInfo({ ...thread, count: thread.count - waiting().length });
      });
    }
  };

  /** Reads the thread every `data-live-poll` seconds while the tab is visible, until a stream opens. */
  let polling = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = Date.now();
  const every = Math.max(1, Number(widget.options.livePoll) || POLL_SECONDS) * 1000;
  const round = async (): Promise<void> => {
    timer = undefined;
    if (!polling || document.hidden) return; // paused: visibilitychange starts it again
    last = Date.now();
    await revalidate();
    if (polling && !timer) timer = setTimeout(round, every);
  };
  const poll = (on: boolean): void => {
    polling = on;
    box.dataset.state = on ? "poll" : "live";
    clearTimeout(timer);
    timer = on ? setTimeout(round, every) : undefined;
  };
  document.addEventListener("visibilitychange", () => {
    if (polling && !document.hidden && !timer) timer = setTimeout(round, Math.max(0, last + every - Date.now()));
  });

  if (typeof EventSource !== "function") {
    poll(true);
    return;
  }
  const connect = (again: boolean): void => {
    // The browser reconnects by itself, with Last-Event-ID, after the stream ends (the server restarts, the
    // stream's time limit, a network change). It gives up only when the server refuses the stream (too
    // many streams, live updates off): then the thread is read every so often, and a stream tried again
    // a while later.
    const source = new EventSource(`${widget.origin}/api/threads/live?${widget.query}`);
    const on = <T>(name: string, handle: (data: T) => void): void =>
      source.addEventListener(name, (event) => {
        let data: T;
        try {
          data = JSON.parse((event as MessageEvent<string>).data);
        } catch {
          return;
        }
        gate(() => handle(data));
      });
    on("comment", onComment);
    on("removed", (data: { id: string }) => onRemoved(data.id));
    on("likes", onLikes);
    on("reactions", onReactions);
    on("thread", (data: { closed: boolean }) => setClosed(widget, data.closed));
    on("reset", revalidate); // it missed more than the server keeps: read the thread again
    source.addEventListener("open", () => {
      if (polling || again) revalidate(); // what changed while there was no stream
      poll(false);
      again = false;
    });
    source.addEventListener("error", () => {
      if (source.readyState !== EventSource.CLOSED) return;
      poll(true);
      setTimeout(() => connect(true), 20 * every);
    });
  };
  connect(false);
}

/** The thread closed (no form, no Reply buttons, "Commenting is closed.") or opened again. */
function setClosed(widget: Widget, closed: boolean): void {
  widget.settings.commenting = !closed;
  const leave = widget.section.querySelector(".rj-leave") as HTMLElement;
  const heading = leave.firstElementChild as HTMLElement;
  const form = leave.querySelector<HTMLFormElement>(":scope > form");
  leave.querySelector(":scope > .rj-notice")?.remove();
  if (closed) {
    widget.open?.close();
    heading.after(h("p", { class: "rj-notice", text: widget.t.closed }));
  } else if (!form) {
    widget.write().then((part) => {
      if (widget.settings.commenting !== false && !leave.querySelector(":scope > form"))
        heading.after(part.buildForm(widget, { labelledby: heading.id }));
    });
  }
  if (form) form.hidden = closed;
  widget.auth.hidden = closed;
  for (const item of widget.items.values()) if (item.replyButton) item.replyButton.hidden = closed;
}
