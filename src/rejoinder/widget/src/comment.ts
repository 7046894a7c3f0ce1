/** One comment: its card (avatar, name, time, marks, text, actions), and where a new one goes. */

import { focusOn, HEART, h, icon, REPLY_ARROW, safeUrl } from "./dom";
import { fill } from "./i18n";
import type { CommentData, Item } from "./types";
import type { Widget } from "./widget";

/** Public: published or approved (the rest only its author sees). */
export function isPublic(comment: CommentData): boolean {
  return comment.status === "published" || comment.status === "approved";
}

export function renderComment(widget: Widget, comment: CommentData): HTMLLIElement {
  const t = widget.t;
  const depth = Math.min(comment.depth, widget.maxDepth);
  const li = h("li", { class: `rj-comment rj-depth-${depth}`, id: `comment-${comment.id}` });
  const item: Item = { comment, li };
  widget.items.set(comment.id, item);
  if (comment.deleted) {
    li.classList.add("rj-deleted");
    li.append(h("p", { class: "rj-placeholder", text: t.deleted }));
    return li;
  }
  // A moderator's pin and feature (docs/moderation.md): a class for the look, words for everyone.
  const marks = (["pinned", "featured"] as const).filter((mark) => comment[mark]);
  for (const mark of marks) li.classList.add(`rj-${mark}`);
  const parent = comment.parent ? widget.items.get(comment.parent) : undefined;
  const parentName = parent ? parent.comment.author.name || t.someone : t.someone;
  const shown = isPublic(comment);
  // A held comment's website stays text until a moderator publishes the comment: its author sees
  // what they gave, and no link goes out from a comment nobody has checked yet.
  const site = shown && comment.author.website ? safeUrl(comment.author.website, widget.origin) : null;
  const name = site
    ? h("a", { class: "rj-name", dir: "auto", href: site, rel: "nofollow ugc noopener", text: comment.author.name })
    : h("span", { class: "rj-name", dir: "auto", text: comment.author.name });
  const siteText = !shown && comment.author.website && h("span", { class: "rj-site", text: comment.author.website });
  const when = Date.parse(comment.created);
  const absolute = widget.formats.absolute.format(when);
  const ago = widget.formats.ago(when);
  const avatarUrl = safeUrl(comment.author.avatar, widget.origin);
  let avatar: HTMLElement = h("span", { class: "rj-avatar" });
  if (avatarUrl) {
    const img = h("img", { class: "rj-avatar", alt: "", width: 40, height: 40, loading: "lazy", decoding: "async" });
    // after the first paint, in a page of many comments
    if (widget.pendingAvatars) widget.pendingAvatars.push([img, avatarUrl]);
    else img.src = avatarUrl;
    avatar = img;
  }
  // Why it waits or was refused, in the reader's language (the server's English sentence otherwise).
  const reason = t.reasons?.[comment.reason_code as string] || comment.reason;
  const text = h("div", { class: "rj-text", dir: "auto" });
  item.text = text;
  text.innerHTML = comment.html; // sanitised by the server: the only HTML the widget inserts
  const likeCount = h("span", {
    class: "rj-count",
    text: comment.likes ? widget.formats.number.format(comment.likes) : "",
  });
  const likeButton = h(
    "button",
    {
      type: "button",
      class: "rj-btn rj-act",
      "aria-pressed": String(widget.liked.has(comment.id)),
      onclick: () => widget.actions().then((part) => part.likeComment(widget, item)),
    },
    icon(HEART),
    h("span", { text: t.like }),
    likeCount,
  );
  const actions = h("div", { class: "rj-actions" }, likeButton);
  const slot = h("div", { class: "rj-slot" });
  Object.assign(item, { text, likeButton, likeCount, actions, slot });
  if (shown) {
    if (widget.settings.commenting !== false) {
      item.replyButton = h(
        "button",
        {
          type: "button",
          class: "rj-btn rj-act rj-reply",
          "aria-expanded": "false",
          "aria-label": fill(t.replyTo, { name: comment.author.name }),
          onclick: () => widget.write().then((part) => part.openReply(widget, item)),
        },
        icon(REPLY_ARROW),
        h("span", { text: t.reply }),
      );
      actions.append(item.replyButton);
    }
    item.reportButton = h("button", {
      type: "button",
      class: "rj-btn rj-act rj-report",
      "aria-expanded": "false",
      text: t.report,
      onclick: () => widget.reportPart().then((part) => part.report(widget, item)),
    });
    actions.append(item.reportButton);
  } else {
    li.classList.add("rj-held");
    likeButton.hidden = true;
    // The author may appeal once (with the comment's edit token, or signed in as its author).
    if (comment.can_appeal && (widget.editTokens[comment.id] || widget.client.token)) {
      item.appealButton = h("button", {
        type: "button",
        class: "rj-btn rj-act",
        "aria-expanded": "false",
        text: t.appeal,
        onclick: () => widget.reportPart().then((part) => part.appeal(widget, item)),
      });
      actions.append(item.appealButton);
    } else if (comment.appealed) actions.append(h("span", { class: "rj-left", text: t.appealSent }));
  }
  li.append(
    h(
      "div",
      { class: "rj-card" },
      avatar,
      h(
        "div",
        { class: "rj-main" },
        marks.length > 0 &&
          h(
            "p",
            { class: "rj-marks" },
            ...marks.map((mark) =>
              h(
                "span",
                { class: `rj-mark rj-mark-${mark}`, text: t[mark] },
                h("span", { class: "rj-sr", text: t.byMod }),
              ),
            ),
          ),
        h(
          "div",
          { class: "rj-meta" },
          name,
          siteText,
          comment.staff &&
            h(
              "span",
              { class: "rj-badge rj-badge-staff", text: t.staff },
              h("span", { class: "rj-sr", text: t.staffSr }),
            ),
          h(
            "a",
            {
              class: "rj-time",
              href: `#comment-${comment.id}`,
              title: absolute,
              "aria-label": `${ago}, ${absolute}. ${t.link}`,
            },
            h(
              "time",
              { datetime: comment.created },
              h("span", { class: "rj-rel", text: ago }),
              h("span", { class: "rj-abs", text: absolute }),
            ),
          ),
          !!comment.edited && h("span", { class: "rj-edited", text: t.edited }),
        ),
        comment.parent &&
          (comment.depth > widget.maxDepth
            ? h(
                "p",
                { class: "rj-context" },
                h("a", { href: `#comment-${comment.parent}`, text: fill(t.inReplyTo, { name: parentName }) }),
              )
            : h("span", { class: "rj-sr", text: fill(t.inReplyTo, { name: parentName }) })),
        !shown &&
          h("p", {
            class: "rj-note",
            text:
              comment.status === "pending"
                ? t.held + (reason ? ` ${reason}` : "")
                : fill(t.refused, { msg: reason || "" }).replace(/[\s:]+$/, ""),
          }),
        text,
        actions,
        slot,
      ),
    ),
  );
  const token = widget.editTokens[comment.id];
  // Edit and delete while the edit window is open (own.ts).
  if (token && token[1] > Date.now()) widget.write().then((part) => part.addOwnControls(widget, item));
  return li;
}

/** Inserts a comment after its parent's last descendant (or at the end / the top, below the pinned,
 * for new top-level comments); `focus`: a new comment of this reader, highlighted and focused. */
export function placeComment(widget: Widget, comment: CommentData, focus: boolean): HTMLLIElement {
  const li = renderComment(widget, comment);
  const parent = comment.parent ? widget.items.get(comment.parent) : undefined;
  if (parent) {
    let next = parent.li.nextElementSibling;
    while (next && depthOf(widget, next) > parent.comment.depth) next = next.nextElementSibling;
    widget.list.insertBefore(li, next);
  } else if (widget.sort === "newest") {
    widget.list.insertBefore(li, widget.list.querySelector(".rj-depth-0:not(.rj-pinned)"));
  } else widget.list.append(li);
  if (focus) {
    li.classList.add("rj-new");
    setTimeout(() => li.classList.remove("rj-new"), 4000); // the highlight fades (CSS transition)
    focusOn(li, "center");
  }
  return li;
}

/** The depth of the comment an element of the list shows (-1 for anything else, e.g. "more replies"). */
export function depthOf(widget: Widget, element: Element): number {
  const item = widget.items.get(element.id.slice(8));
  return item ? item.comment.depth : -1;
}
