/** The site's reactions on the article and on every comment, and muting commenters (a signed-in reader's own
 * list, applied here: the thread the server sends is the same for everyone). Part of the actions part
 * (actions.ts); drawn when the site offers reactions or the reader is signed in. */

import { h } from "./dom";
import { fill } from "./i18n";
import type { Plural } from "./strings";
import { drawPeople as drawAvatars } from "./thread";
import type { Item, ViewerState } from "./types";
import type { Widget } from "./widget";

export const SOCIAL_STRINGS = {
  reactions: "Reactions",
  reactTo: "{reaction}, {n}",
  reactors: { one: "{n} person reacted", other: "{n} people reacted" } as Plural,
  recentReactors: "Recent reactions",
  mute: "Mute",
  muteName: "Mute {name}",
  mutedComment: "Comment from a muted commenter",
  showMuted: "Show",
  unmute: "Unmute",
  noMutes: "You have not muted anyone.",
  mutedNow:
    "{name} is muted: their comments are collapsed for you. A guest who comments with another email address, or without one from another browser, is not muted.",
  unmutedNow: "{name} is no longer muted.",
  reactionNames: {
    like: "Thumbs up",
    love: "Love",
    laugh: "Laugh",
    wow: "Wow",
    sad: "Sad",
    angry: "Angry",
    clap: "Applause",
    think: "Thinking",
    party: "Celebrate",
    insight: "Insightful",
  } as Record<string, string>,
};

type Strings = ReturnType<typeof strings>;

function strings(widget: Widget) {
  return widget.withStrings(SOCIAL_STRINGS);
}

/** The author key of a comment: the last part of its avatar URL (what GET /api/mutes lists). */
function keyOf(item: Item): string {
  return (item.comment.author.avatar || "").split("/").pop() as string;
}

/** The reader's own state (GET /api/viewer), kept up to date here as they react and mute. */
function state(widget: Widget): ViewerState {
  widget.viewer = widget.viewer || { liked: [], own: [] };
  widget.viewer.reacted = widget.viewer.reacted || {};
  return widget.viewer;
}

let article: { bar: HTMLElement; text: HTMLElement; people: HTMLUListElement } | undefined;
/** Comments the reader chose to see although their author is muted. */
const shown = new Set<string>();

/** Draws (or redraws) everything: called once the part is here, again with the reader's own state. */
export function attach(widget: Widget): void {
  widget.social = { attach, decorate, redraw }; // what the rest of the widget calls
  const info = widget.info?.reactions;
  if (info) widget.counts[""] = info.kinds;
  if (widget.settings.reactions?.length && !article) {
    article = {
      bar: h("div", { class: "rj-reactions" }),
      text: h("span", { class: "rj-like-text" }),
      people: h("ul", { class: "rj-likers" }),
    };
    (widget.likers.parentNode as HTMLElement).after(
      h("div", { class: "rj-likes rj-article-reactions" }, article.bar, article.text, article.people),
    );
  }
  if (article) {
    drawBar(widget, article.bar, "");
    drawPeople(widget);
  }
  if (widget.settings.like_button === false) {
    (widget.likeButton.parentNode as HTMLElement).hidden = true;
  }
  for (const item of widget.items.values()) decorate(widget, item);
}

/** One comment's reactions row and Mute button, and its collapse when its author is muted. */
export function decorate(widget: Widget, item: Item): void {
  const t = strings(widget);
  const comment = item.comment;
  if (comment.deleted || !item.actions) return;
  if (widget.settings.like_button === false && item.likeButton) item.likeButton.hidden = true;
  if (widget.settings.reactions?.length && comment.status !== "pending") {
    if (!item.bar) {
      item.bar = h("div", { class: "rj-reactions" });
      item.actions.before(item.bar);
    }
    drawBar(widget, item.bar, comment.id);
  }
  const me = widget.me;
  const own = !me || comment.author.avatar === me.identity.avatar;
  let button = item.actions.querySelector<HTMLButtonElement>(".rj-mute");
  if (own) button?.remove();
  else if (!button) {
    button = h("button", {
      type: "button",
      class: "rj-btn rj-act rj-mute",
      text: t.mute,
      "aria-label": fill(t.muteName, { name: comment.author.name }),
      onclick: () => mute(widget, item),
    });
    item.actions.append(button);
  }
  collapse(widget, item, t);
}

function collapse(widget: Widget, item: Item, t: Strings): void {
  const muted = !!widget.me && !!widget.viewer?.muted?.includes(keyOf(item)) && !shown.has(item.comment.id);
  const card = item.li.querySelector<HTMLElement>(".rj-card") as HTMLElement;
  let note = item.li.querySelector<HTMLElement>(".rj-muted");
  card.hidden = muted;
  if (!muted) note?.remove();
  if (!muted || note) return;
  const show = h("button", {
    type: "button",
    class: "rj-btn rj-act",
    text: t.showMuted,
    onclick: () => {
      shown.add(item.comment.id);
      collapse(widget, item, t);
      item.li.querySelector<HTMLElement>(".rj-time")?.focus();
    },
  });
  note = h("p", { class: "rj-muted" }, `${t.mutedComment} · `, show);
  item.li.prepend(note);
}

/** Draws one comment's reactions row (or the article's, with "N people reacted") again with the counts the
 * widget holds now (a live change); the reader's focus stays on the button it was on. */
export function redraw(widget: Widget, target: string): void {
  const bar = target ? widget.items.get(target)?.bar : article?.bar;
  if (!bar) return;
  const focused = [...bar.children].indexOf(document.activeElement as Element);
  drawBar(widget, bar, target);
  if (!target) drawPeople(widget);
  if (focused >= 0) (bar.children[focused] as HTMLElement).focus();
}

function drawBar(widget: Widget, bar: HTMLElement, target: string): void {
  const t = strings(widget);
  const counts = widget.counts[target] || {};
  const mine = widget.viewer?.reacted?.[target] || [];
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", t.reactions);
  bar.replaceChildren(
    ...(widget.settings.reactions || []).map(({ kind, emoji }) => {
      const count = counts[kind] || 0;
      return h(
        "button",
        {
          type: "button",
          class: "rj-btn rj-act rj-react",
          "aria-pressed": String(mine.includes(kind)),
          "aria-label": fill(t.reactTo, {
            reaction: t.reactionNames[kind] || kind,
            n: widget.formats.digits(count),
          }),
          title: t.reactionNames[kind] || kind,
          onclick: (event: Event) => react(widget, target, kind, event.currentTarget as HTMLButtonElement),
        },
        h("span", { "aria-hidden": "true", text: emoji }),
        h("span", { class: "rj-count", text: count ? widget.formats.digits(count) : "" }),
      );
    }),
  );
}

function drawPeople(widget: Widget): void {
  if (!article) return;
  const t = strings(widget);
  const info = widget.info?.reactions;
  article.text.textContent = info?.count ? widget.formats.count(t.reactors, info.count) : "";
  article.people.setAttribute("aria-label", t.recentReactors);
  drawAvatars(article.people, info?.recent || [], widget.origin);
}

async function react(widget: Widget, target: string, kind: string, button: HTMLButtonElement): Promise<void> {
  const on = button.getAttribute("aria-pressed") !== "true";
  const path = target ? `/api/comments/${target}/reactions/${kind}` : `/api/threads/reactions/${kind}?${widget.query}`;
  const author = widget.storage.load<{ name?: string }>("author");
  button.disabled = true;
  try {
    const answer = await widget.api<{ reacted: boolean; count: number }>(
      on ? "PUT" : "DELETE",
      path,
      on && !target ? { name: author?.name || null, title: widget.title } : undefined,
      true,
    );
    const reacted = state(widget).reacted as Record<string, string[]>;
    const mine = (reacted[target] || []).filter((k) => k !== kind);
    reacted[target] = answer.reacted ? mine.concat(kind) : mine;
    widget.counts[target] = { ...widget.counts[target], [kind]: answer.count };
    if (!target) {
      const fresh = await widget
        .api<{ thread: Widget["info"] }>("GET", `/api/threads?${widget.query}&limit=1`)
        .catch(() => null);
      if (fresh?.thread) widget.info = fresh.thread;
    }
    attach(widget);
    const label = (target ? widget.items.get(target)?.bar : article?.bar)
      ?.querySelector(`[title="${button.title}"]`)
      ?.getAttribute("aria-label");
    widget.announce(label || "");
  } catch (error) {
    widget.announce(widget.problemText(error as never));
  } finally {
    button.disabled = false;
  }
}

async function mute(widget: Widget, item: Item): Promise<void> {
  const t = strings(widget);
  try {
    await widget.api("PUT", "/api/mutes", { comment: item.comment.id }, true);
    const viewer = state(widget);
    viewer.muted = (viewer.muted || []).concat(keyOf(item));
    for (const other of widget.items.values()) shown.delete(other.comment.id);
    attach(widget);
    widget.announce(fill(t.mutedNow, { name: item.comment.author.name }));
    item.li.querySelector<HTMLButtonElement>(".rj-muted button")?.focus();
  } catch (error) {
    widget.announce(widget.problemText(error as never));
  }
}

/** The reader's muted commenters under the account line, each with Unmute (the button toggles it). */
export async function manage(widget: Widget, button: HTMLButtonElement): Promise<void> {
  const t = strings(widget);
  const open = button.getAttribute("aria-expanded") === "true";
  button.setAttribute("aria-expanded", String(!open));
  widget.auth.querySelector(".rj-mutes")?.remove();
  if (open) return;
  const list = h("ul", { class: "rj-mutes", "aria-label": button.textContent as string });
  button.closest("p")?.after(list);
  const answer = await widget
    .api<{ mutes: { key: string; name: string }[] }>("GET", "/api/mutes", undefined, true)
    .catch(() => ({ mutes: [] }));
  if (!answer.mutes.length) list.append(h("li", { text: t.noMutes }));
  for (const muted of answer.mutes) {
    const row = h(
      "li",
      null,
      h("span", { dir: "auto", text: `${muted.name} ` }),
      h("button", {
        type: "button",
        class: "rj-btn rj-act",
        text: t.unmute,
        "aria-label": `${t.unmute}: ${muted.name}`,
        onclick: async () => {
          try {
            await widget.api("DELETE", `/api/mutes/${encodeURIComponent(muted.key)}`, undefined, true);
            if (widget.viewer) widget.viewer.muted = (widget.viewer.muted || []).filter((k) => k !== muted.key);
            row.remove();
            if (!list.children.length) list.append(h("li", { text: t.noMutes }));
            attach(widget);
            widget.announce(fill(t.unmutedNow, { name: muted.name }));
            button.focus();
          } catch (error) {
            widget.announce(widget.problemText(error as never));
          }
        },
      }),
    );
    list.append(row);
  }
}
