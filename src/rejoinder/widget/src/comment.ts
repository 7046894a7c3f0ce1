/** One comment: its card (avatar, name, time, marks, text, actions); place.ts puts a new one in the list. */

import { HEART, h, icon, REPLY_ARROW, safeUrl } from "./dom";
import { fill } from "./i18n";
import type { CommentData, Item } from "./types";
import type { Widget } from "./widget";

/** Public: published or approved (the rest only its author sees). */
export function isPublic(comment: CommentData): boolean {
  return comment.status === "published" || comment.status === "approved";
}

/** A button that opens one of the actions part's forms under the comment: `report`, or `appeal` on the
 * author's own held comment (held.ts). */
export function reportFormButton(
  widget: Widget,
  item: Item,
  form: "report" | "appeal",
  text: string,
): HTMLButtonElement {
  return h("button", {
    type: "button",
    class: "rj-btn rj-act",
    "aria-expanded": "false",
    text,
    onclick: () => widget.actions().then((part) => part[form](widget, item)),
  });
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
  const avatarUrl = safeUrl(comment.author.avatar, widget.origin);
  let avatar: HTMLElement = h("span", { class: "rj-avatar" });
  if (avatarUrl) {
    const img = h("img", { class: "rj-avatar", alt: "", width: 40, height: 40, loading: "lazy", decoding: "async" });
    // after the first paint, in a page of many comments
    if (widget.pendingAvatars) widget.pendingAvatars.push([img, avatarUrl]);
    else img.src = avatarUrl;
    avatar = img;
  }
  const text = h("div", { class: "rj-text", dir: "auto" });
  item.text = text;
  text.innerHTML = comment.html; // sanitised by the server: the only HTML the widget inserts
  const likeCount = h("span", { class: "rj-count" });
  if (comment.likes) {
    let written = "";
    widget.formats.localize(() => {
      // not when a like changed it meanwhile (likes.ts)
      if (likeCount.textContent === written) likeCount.textContent = written = widget.formats.digits(comment.likes);
    });
  }
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
    item.reportButton = reportFormButton(widget, item, "report", t.report);
    item.reportButton.classList.add("rj-report");
    actions.append(item.reportButton);
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
          comment.staff &&
            h(
              "span",
              { class: "rj-badge rj-badge-staff", text: t.staff },
              h("span", { class: "rj-sr", text: t.staffSr }),
            ),
          timeLink(widget, comment),
          !!comment.edited &&
            h("span", {
              class: "rj-edited",
              dir: "auto",
              text: comment.moderator_edited
                ? t.modEdited + (comment.moderator_note ? `: ${comment.moderator_note}` : "")
                : t.edited,
            }),
        ),
        comment.parent &&
          (comment.depth > widget.maxDepth
            ? h(
                "p",
                { class: "rj-context" },
                h("a", { href: `#comment-${comment.parent}`, text: fill(t.inReplyTo, { name: parentName }) }),
              )
            : h("span", { class: "rj-sr", text: fill(t.inReplyTo, { name: parentName }) })),
        text,
        comment.images &&
          h(
            "p",
            { class: "rj-imgs" },
            ...comment.images.map((image) =>
              h("img", {
                src: safeUrl(image.url, widget.origin),
                alt: image.alt || t.image,
                width: image.width,
                height: image.height,
                loading: "lazy",
              }),
            ),
          ),
        actions,
        slot,
      ),
    ),
  );
  widget.social?.decorate(widget, item);
  // Held or refused: only its author sees it, marked by the write part (held.ts), which placed it.
  if (!shown) widget.write().then((part) => part.markHeld(widget, item));
  const token = widget.editTokens[comment.id];
  // Edit and delete while the edit window is open (own.ts).
  if (token && token[1] > Date.now()) widget.write().then((part) => part.addOwnControls(widget, item));
  return li;
}

/** The comment's time, linking to it: "3 days ago" and the full date (localized once the formatters are
 * built: i18n.ts). */
function timeLink(widget: Widget, comment: CommentData): HTMLAnchorElement {
  const when = Date.parse(comment.created);
  const relative = h("span", { class: "rj-rel" });
  const absolute = h("span", { class: "rj-abs" });
  const link = h(
    "a",
    { class: "rj-time", href: `#comment-${comment.id}` },
    h("time", { datetime: comment.created }, relative, absolute),
  );
  widget.formats.localize(() => {
    const full = widget.formats.when(when);
    relative.textContent = widget.formats.ago(when);
    absolute.textContent = link.title = full;
    link.setAttribute("aria-label", `${relative.textContent}, ${full}. ${widget.t.link}`);
  });
  return link;
}
