/** Posting a comment or reply, the preview, and the reader's own comments (edit and delete while the
 * server's edit window is open). Part of the write part (write.ts). */

import { isProblem } from "./api";
import { isPublic } from "./comment";
import { focusOn, h } from "./dom";
import { errorOf } from "./fields";
import { buildForm, FORM_STRINGS, type FormParts } from "./form";
import { heldNote } from "./held";
import { fill } from "./i18n";
import { renderMarkdown } from "./markdown";
import { depthOf, placeComment } from "./place";
import { subscribeAfterPost } from "./subscribe";
import type { CommentData, Item } from "./types";
import { showWarning } from "./warning";
import type { Widget } from "./widget";

export const OWN_STRINGS = {
  edit: "Edit",
  del: "Delete",
  confirmDel: "Delete this comment for good?",
  left: "{t} left to edit or delete",
  empty: "Nothing to preview yet.",
  posted: "Your comment was posted.",
  replied: "Your reply was posted.",
  updated: "Your comment was updated.",
  removed: "Your comment was deleted.",
  failed: "Your comment was not posted: {msg}",
};

const busy = new WeakSet<HTMLFormElement>();

/** The reader's own request: while it is in flight live updates (live.ts) hold what they hear (a change to this
 * very comment would be drawn over the form, or the new comment counted as someone else's), and applies
 * it after the answer is drawn (a task later: the caller draws it right after this resolves). */
async function mine<T>(widget: Widget, request: Promise<T>): Promise<T> {
  widget.mine++;
  try {
    return await request;
  } finally {
    widget.mine--;
    setTimeout(() => widget.settled?.());
  }
}

export function togglePreview(widget: Widget, parts: FormParts): void {
  const on = parts.preview.hidden;
  parts.preview.hidden = !on;
  parts.previewButton.setAttribute("aria-pressed", String(on));
  if (on) renderPreview(widget, parts.text.value, parts.preview);
}

export function renderPreview(widget: Widget, source: string, out: HTMLElement): void {
  renderMarkdown(source, out, widget.withStrings({ ...FORM_STRINGS, ...OWN_STRINGS }).empty, widget.origin);
}

export async function submitForm(widget: Widget, parts: FormParts): Promise<void> {
  const t = widget.withStrings({ ...FORM_STRINGS, ...OWN_STRINGS });
  const { form, submit, fields, general } = parts;
  const edit = parts.options.edit;
  if (busy.has(form)) return;
  busy.add(form);
  submit.disabled = true;
  submit.textContent = edit ? t.saving : t.posting;
  form.setAttribute("aria-busy", "true");
  for (const input of Object.values(fields)) {
    input.removeAttribute("aria-invalid");
    errorOf(input).textContent = "";
  }
  general.textContent = "";
  try {
    if (edit) await saveEdit(widget, edit, parts.text.value, parts.close);
    else await post(widget, parts);
  } catch (error) {
    if (!isProblem(error)) throw error;
    const warning = error.p.warning;
    if (warning) showWarning(widget, warning, general, submit);
    const message = widget.problemText(error);
    let first: HTMLElement | null = null;
    for (const problem of error.p.errors || []) {
      const input = fields[problem.field];
      if (!input) continue;
      input.setAttribute("aria-invalid", "true");
      // A refused text's field errors carry moderation codes, whose words are in `reasons`.
      errorOf(input).textContent = t.errors[problem.code] || t.reasons?.[problem.code] || problem.message;
      first = first || input;
    }
    if (first) {
      first.focus();
      widget.announce(fill(t.failed, { msg: message }));
    } else general.textContent = message;
  } finally {
    busy.delete(form);
    submit.disabled = false;
    submit.textContent = parts.label;
    form.removeAttribute("aria-busy");
  }
}

async function post(widget: Widget, parts: FormParts): Promise<void> {
  const t = widget.withStrings({ ...FORM_STRINGS, ...OWN_STRINGS });
  const { fields, token } = parts;
  const parent = parts.options.parent;
  const author = {
    name: (fields["author.name"] as HTMLInputElement).value,
    email: (fields["author.email"] as HTMLInputElement).value.trim() || null,
    website: (fields["author.website"] as HTMLInputElement).value.trim() || null,
  };
  const body: Record<string, unknown> = {
    text: parts.text.value,
    title: widget.title,
    parent: parent ? parent.comment.id : null,
    author,
    ...parts.more,
  };
  if (widget.options.key) body.key = widget.options.key;
  body.url = widget.url;
  const formToken = await token.pending;
  if (formToken) body.form_token = formToken;
  if (parts.trap?.value) body.honeypot = parts.trap.value;
  const comment = await mine(widget, widget.api<CommentData>("POST", "/api/comments", body, true));
  comment.can_appeal = comment.status === "pending";
  Object.assign(token, { pending: widget.formToken(), at: Date.now() });
  if (!widget.me) widget.storage.save("author", parts.remember?.checked ? author : null);
  widget.editTokens[comment.id] = [comment.edit_token as string, Date.parse(comment.edit_until as string)];
  widget.storage.save("edit", widget.editTokens);
  parts.text.value = "";
  parts.reset?.();
  parts.preview.hidden = true;
  parts.previewButton.setAttribute("aria-pressed", "false");
  if (parent) widget.open?.close();
  if (isPublic(comment)) widget.setCount(widget.count + 1);
  placeComment(widget, comment, true);
  // A held comment says so at once, as its note does.
  widget.announce(
    (parent ? t.replied : t.posted) + (comment.status === "pending" ? ` ${heldNote(widget, comment)}` : ""),
  );
  if (parts.subs) await subscribeAfterPost(widget, parts.subs, comment.id, author.email);
}

async function saveEdit(widget: Widget, item: Item, text: string, close: () => void): Promise<void> {
  const token = widget.editTokens[item.comment.id];
  const saved = await mine(
    widget,
    widget.api<CommentData>("PATCH", `/api/comments/${item.comment.id}`, { text }, token ? token[0] : ""),
  );
  item.comment = { ...item.comment, text: saved.text, html: saved.html, edited: saved.edited };
  (item.text as HTMLElement).innerHTML = saved.html; // sanitised by the server
  if (!item.li.querySelector(".rj-edited")) {
    item.li.querySelector(".rj-meta")?.append(h("span", { class: "rj-edited", text: widget.t.edited }));
  }
  close();
  widget.announce(widget.withStrings({ ...FORM_STRINGS, ...OWN_STRINGS }).updated);
}

/** Edit, Delete and the time left, on a comment this browser wrote while its edit window is open. */
export function addOwnControls(widget: Widget, item: Item): void {
  const token = widget.editTokens[item.comment.id];
  if (!token || token[1] <= Date.now() || item.ownControls || widget.items.get(item.comment.id) !== item) return;
  const t = widget.withStrings({ ...FORM_STRINGS, ...OWN_STRINGS });
  const actions = item.actions as HTMLDivElement;
  item.editUntil = token[1];
  item.timeLeft = h("span", { class: "rj-left" });
  item.editButton = h("button", {
    type: "button",
    class: "rj-btn rj-act",
    text: t.edit,
    onclick: () => {
      (item.text as HTMLElement).hidden = true;
      actions.hidden = true;
      const form = buildForm(widget, { edit: item });
      (item.text as HTMLElement).after(form);
      form.querySelector("textarea")?.focus();
    },
  });
  const remove = h("button", {
    type: "button",
    class: "rj-btn rj-act",
    text: t.del,
    onclick: () => {
      const no = h("button", {
        type: "button",
        class: "rj-btn",
        text: t.cancel,
        onclick: () => {
          ask.remove();
          controls.hidden = false;
          remove.focus();
        },
      });
      const yes = h("button", {
        type: "button",
        class: "rj-btn rj-danger",
        text: t.del,
        onclick: () => deleteComment(widget, item, ask),
      });
      const ask = h(
        "div",
        { class: "rj-confirm", role: "group", "aria-label": t.confirmDel },
        h("span", { text: t.confirmDel }),
        yes,
        no,
      );
      controls.hidden = true;
      actions.append(ask);
      yes.focus();
    },
  });
  const controls = h("span", { class: "rj-own" }, item.editButton, remove, item.timeLeft);
  item.ownControls = controls;
  actions.append(controls);
  widget.editable = widget.editable || new Set();
  widget.editable.add(item);
  tick(widget);
  if (!widget.editTimer) widget.editTimer = setInterval(() => tick(widget), 1000);
}

/** The time left to edit, every second; the controls go when the window closes. */
function tick(widget: Widget): void {
  const now = Date.now();
  const editable = widget.editable as Set<Item>;
  for (const item of editable) {
    const left = (item.editUntil as number) - now;
    if (left <= 0 || widget.items.get(item.comment.id) !== item) {
      item.ownControls?.remove();
      editable.delete(item);
      continue;
    }
    const unit = left >= 60000 ? "minute" : "second";
    const value = Math.ceil(left / (unit === "minute" ? 60000 : 1000));
    const text = fill(widget.withStrings({ ...FORM_STRINGS, ...OWN_STRINGS }).left, {
      t: new Intl.NumberFormat(widget.language, { style: "unit", unit, unitDisplay: "long" }).format(value),
    });
    const timeLeft = item.timeLeft as HTMLSpanElement;
    if (timeLeft.textContent !== text) timeLeft.textContent = text;
  }
  if (!editable.size) {
    clearInterval(widget.editTimer as ReturnType<typeof setInterval>);
    widget.editTimer = null;
  }
}

async function deleteComment(widget: Widget, item: Item, ask: HTMLElement): Promise<void> {
  const token = widget.editTokens[item.comment.id];
  try {
    await mine(widget, widget.api("DELETE", `/api/comments/${item.comment.id}`, undefined, token ? token[0] : ""));
  } catch (error) {
    const message = widget.problemText(error as never);
    ask.replaceChildren(h("span", { class: "rj-error", text: message }));
    widget.announce(message);
    return;
  }
  delete widget.editTokens[item.comment.id];
  widget.storage.save("edit", widget.editTokens);
  if (isPublic(item.comment)) widget.setCount(widget.count - 1);
  const next = item.li.nextElementSibling;
  const previous = item.li.previousElementSibling as HTMLElement | null;
  if (next && depthOf(widget, next) > item.comment.depth) {
    item.li.replaceChildren(h("p", { class: "rj-placeholder", text: widget.t.deleted }));
    item.li.classList.add("rj-deleted");
    item.comment.deleted = true; // so that live updates, hearing of it, leaves it (and the count) alone
    focusOn(item.li);
  } else {
    item.li.remove();
    widget.items.delete(item.comment.id);
    focusOn(previous || widget.heading);
  }
  widget.announce(widget.withStrings({ ...FORM_STRINGS, ...OWN_STRINGS }).removed);
}
