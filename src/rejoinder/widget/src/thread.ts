/** The frame around the comments (heading, likes row, sort, list, pagers, the form at the end) and
 * the pages of comments that fill it. */

import { renderComment } from "./comment";
import { afterPaint, focusOn, HEART, h, icon, safeUrl } from "./dom";
import type { CommentData, Item, Liker, ThreadInfo, ThreadPage } from "./types";
import type { Widget } from "./widget";

export type PageHow = "replace" | "append" | "prepend";

/** The orders a thread can be read in (data-sort); the first is the default. */
export const SORTS = ["oldest", "newest", "top", "reacted"] as const;

export function buildFrame(widget: Widget, data: ThreadPage): void {
  const t = widget.t;
  const headingId = widget.nextId();
  widget.heading = h("h2", { class: "rj-title", id: headingId, tabindex: "-1" });
  const sort = h(
    "select",
    {
      class: "rj-select",
      id: widget.nextId(),
      onchange: () => widget.actions().then((part) => part.changeSort(widget, sort.value)),
    },
    ...SORTS.map(
      (order) =>
        (order !== "reacted" || !!widget.settings.reactions?.length) &&
        h("option", { value: order, selected: order === widget.sort, text: t[order] }),
    ),
  );
  widget.likeButton = h(
    "button",
    {
      type: "button",
      class: "rj-btn rj-like",
      "aria-label": t.likeArticle,
      onclick: () => widget.actions().then((part) => part.likeArticle(widget)),
    },
    icon(HEART),
    h("span", { text: t.like }),
  );
  widget.likeText = h("span", { class: "rj-like-text" });
  widget.likers = h("ul", { class: "rj-likers", "aria-label": t.likers });
  widget.list = h("ol", { class: "rj-list" });
  widget.earlierButton = h("button", {
    type: "button",
    class: "rj-btn rj-pager",
    text: t.earlier,
    hidden: true,
    onclick: () => widget.actions().then((part) => part.morePages(widget, -1)),
  });
  widget.moreButton = h("button", {
    type: "button",
    class: "rj-btn rj-pager",
    text: t.more,
    hidden: true,
    onclick: () => widget.actions().then((part) => part.morePages(widget, 1)),
  });
  const formHeadingId = widget.nextId();
  const closed = widget.settings.commenting === false;
  widget.composeSlot = closed ? null : h("div", { "data-labelledby": formHeadingId });
  widget.auth = h("div", { class: "rj-auth", hidden: closed });
  widget.note = h("div", { class: "rj-hint" });
  widget.section = h(
    "section",
    { class: "rj-section", "aria-labelledby": headingId },
    h(
      "div",
      { class: "rj-head" },
      widget.heading,
      h("div", { class: "rj-sort" }, h("label", { for: sort.id, text: t.sort }), sort),
    ),
    h("div", { class: "rj-likes" }, widget.likeButton, widget.likeText, widget.likers),
    widget.earlierButton,
    widget.list,
    widget.moreButton,
    h(
      "div",
      { class: "rj-leave" },
      h("h3", { class: "rj-subtitle", id: formHeadingId, text: t.leave }),
      closed ? h("p", { class: "rj-notice", text: t.closed }) : widget.composeSlot,
      widget.auth,
      widget.note,
    ),
  );
  drawThreadInfo(widget, data.thread);
}

/** The count in the heading and the likes row. */
export function drawThreadInfo(widget: Widget, thread: ThreadInfo): void {
  widget.info = thread;
  setCount(widget, thread.count);
  widget.likeButton.setAttribute("aria-pressed", String(!!widget.likedThread));
  widget.formats.localize(() => {
    widget.likeText.textContent = thread.likes.count
      ? widget.formats.count(widget.t.likes, thread.likes.count)
      : widget.t.firstLike;
  });
  drawPeople(widget.likers, thread.likes.recent, widget.origin);
}

/** The avatars of the recent likers (or reactors: social.ts) in `list`, which is hidden when there are none. */
export function drawPeople(list: HTMLUListElement, people: Liker[], origin: string): void {
  list.replaceChildren(
    ...people.map((person) => {
      const src = safeUrl(person.avatar, origin);
      return h(
        "li",
        null,
        src &&
          h("img", { class: "rj-avatar rj-small", src, alt: person.name, title: person.name, width: 28, height: 28 }),
      );
    }),
  );
  list.hidden = !people.length;
}

export function setCount(widget: Widget, count: number): void {
  const shown = Math.max(0, count);
  widget.count = shown;
  widget.formats.localize(() => {
    widget.heading.textContent = widget.formats.count(widget.t.responses, shown);
  });
}

/** Scrolls to comment `id` and highlights it; `locate`: load its page first when it is not on screen. */
export function goto(widget: Widget, id: string, locate: boolean): void {
  const item = widget.items.get(id);
  if (item) highlight(widget, item);
  else if (locate) widget.actions().then((part) => part.locate(widget, id));
}

export function highlight(widget: Widget, item: Item): void {
  for (const element of widget.list.querySelectorAll(".rj-target")) element.classList.remove("rj-target");
  item.li.classList.add("rj-target");
  focusOn(item.li, "center");
}

/** How many comments the first slice renders (a screenful): the first paint waits for their layout. */
const FIRST_SLICE = 6;
/** How long one slice of rendering may take (ms): input waits for no longer. */
const SLICE_MS = 40;
/** How many avatars one frame starts loading. */
const AVATARS = 4;
/** The most comments one slice renders after the first screenful. */
const SLICE_MAX = 250;

/** Renders a page in slices: the first screenful at once, the rest one slice per frame, so that a page of
 * thousands of comments never blocks input for long. */
export function showPage(widget: Widget, data: ThreadPage, how: PageHow): Promise<void> {
  const generation = how === "replace" ? ++widget.generation : widget.generation;
  const page = data.page;
  if (how !== "append") widget.firstPage = page.number;
  if (how !== "prepend") widget.lastPage = page.number;
  widget.pages = page.pages;
  widget.earlierButton.hidden = widget.firstPage <= 1;
  widget.moreButton.hidden = widget.lastPage >= widget.pages;
  const before = how === "prepend" ? widget.list.firstChild : null;
  Object.assign(widget.counts, data.reactions);
  return renderSlices(widget, data.comments, generation, (fragment) => widget.list.insertBefore(fragment, before));
}

function renderSlices(
  widget: Widget,
  comments: CommentData[],
  generation: number,
  insert: (fragment: DocumentFragment) => void,
): Promise<void> {
  return new Promise((done) => {
    let index = 0;
    // The conversation being rendered: its top-level comment and how many of its replies came.
    let conversation: CommentData | undefined;
    let replies = 0;
    const step = () => {
      if (generation !== widget.generation) return done();
      const fragment = document.createDocumentFragment();
      // The first screenful whole, then as many as fit in SLICE_MS (a slow phone renders fewer per task), at
      // most SLICE_MAX, so that even a fast machine yields to input several times on a long page.
      const end = Math.min(comments.length, index + (index ? SLICE_MAX : FIRST_SLICE));
      const start = index;
      const until = performance.now() + SLICE_MS;
      const avatars: [HTMLImageElement, string][] = [];
      widget.pendingAvatars = avatars;
      for (; index < end && (!start || index === start || performance.now() < until); index++) {
        const comment = comments[index] as CommentData;
        if (!comment.parent) {
          conversation = comment;
          replies = 0;
        } else replies++;
        if (!widget.items.has(comment.id)) fragment.append(renderComment(widget, comment));
        const next = comments[index + 1];
        if (conversation?.more_replies && !next?.parent) {
          fragment.append(moreRepliesButton(widget, conversation.id, replies, conversation.more_replies));
        }
      }
      widget.pendingAvatars = null;
      insert(fragment);
      // Their avatars and the next slice once the browser painted these comments (so that a slice's layout
      // is never part of the one before it, nor the next slice part of the first paint).
      // A few avatars a frame: an SVG identicon is decoded and painted on the main thread.
      afterPaint(() => {
        const next = () => {
          for (const [img, src] of avatars.splice(0, AVATARS)) img.src = src;
          if (avatars.length) requestAnimationFrame(next);
        };
        next();
        if (index < comments.length) step();
      });
      if (index >= comments.length) done();
    };
    step();
  });
}

// ---- replies beyond a conversation's cut (GET /api/comments/{id}/replies) ----------------------------

/** "Show N more replies" at the end of a conversation the server cut; `loaded`: its replies on screen. */
function moreRepliesButton(widget: Widget, rootId: string, loaded: number, remaining: number): HTMLLIElement {
  const button = h("button", {
    type: "button",
    class: "rj-btn rj-pager rj-more-replies",
    "data-root": rootId,
    "data-offset": loaded,
    "data-more": remaining,
  });
  // more.ts counts down data-more as replies come
  widget.formats.localize(() => {
    button.textContent = widget.formats.count(widget.t.moreReplies, Number(button.dataset.more));
  });
  button.addEventListener("click", () => widget.actions().then((part) => part.moreReplies(widget, button, true)));
  return h("li", { class: "rj-more-item" }, button);
}
