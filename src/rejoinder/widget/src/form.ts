/** The comment form: a new comment ("Leave a Reply"), a reply under a comment, or an edit. Part of the
 * lazily loaded write part (write.ts), which the widget requests at start, beside the thread: the
 * comments are painted without waiting for it. */

import { h } from "./dom";
import { field } from "./fields";
import { attach } from "./images";
import { renderPreview, submitForm, togglePreview } from "./own";
import { type SubBoxes, subscriptionBoxes } from "./subscribe";
import type { Item } from "./types";
import type { Widget } from "./widget";

export const FORM_STRINGS = {
  trap: "Leave this field empty",
  cancel: "Cancel",
  save: "Save",
  text: "Comment",
  preview: "Preview",
  hint: "Markdown works: **bold**, *italic*, `code`, [link](https://…), > quote.",
  name: "Name",
  email: "Email (optional)",
  emailRequired: "Email (required)",
  emailNote: "Never shown to anyone.",
  website: "Website (optional)",
  remember: "Remember my name, email and website in this browser",
  post: "Post comment",
  postReply: "Post reply",
  posting: "Posting…",
  saving: "Saving…",
};

export interface FormOptions {
  parent?: Item;
  edit?: Item;
  labelledby?: string;
}

/** What the submit handler and the preview (own.ts) need of a form. */
export interface FormParts {
  options: FormOptions;
  form: HTMLFormElement;
  text: HTMLTextAreaElement;
  preview: HTMLDivElement;
  previewButton: HTMLButtonElement;
  /** Inputs by the field names the server's errors use (`text`, `author.name`, …). */
  fields: Record<string, HTMLInputElement | HTMLTextAreaElement>;
  remember?: HTMLInputElement;
  trap?: HTMLInputElement;
  subs?: SubBoxes | null;
  submit: HTMLButtonElement;
  general: HTMLParagraphElement;
  label: string;
  /** A signed "form shown at" token for the server's moderation (posting too fast is refused). */
  token: { pending: Promise<string | null> | null; at: number };
  close: () => void;
  /** What the images part adds to the posted comment, and how it empties its list after a post. */
  more?: object;
  reset?: () => void;
}

export function buildForm(widget: Widget, options: FormOptions): HTMLFormElement {
  const t = widget.withStrings(FORM_STRINGS);
  const edit = options.edit;
  const author = widget.storage.load<{ name?: string; email?: string; website?: string }>("author") || {};
  const text = h("textarea", { class: "rj-input rj-textarea", name: "text", dir: "auto", rows: edit ? 4 : 5 });
  if (edit) text.value = edit.comment.text || "";
  const preview = h("div", { class: "rj-preview rj-text", dir: "auto", hidden: true });
  const previewButton = h("button", {
    type: "button",
    class: "rj-btn rj-link",
    "aria-pressed": "false",
    text: t.preview,
    onclick: () => togglePreview(widget, parts),
  });
  const fields: FormParts["fields"] = { text };
  const rows: HTMLElement[] = [
    field(widget.nextId(), t.text, text, t.hint),
    h("div", { class: "rj-tools" }, previewButton),
    preview,
  ];
  let remember: HTMLInputElement | undefined;
  let trap: HTMLInputElement | undefined;
  let subs: SubBoxes | null = null;
  let images: HTMLDivElement | undefined;
  if (!edit) {
    const requireEmail = !!widget.settings.require_email;
    const name = h("input", {
      class: "rj-input",
      name: "name",
      autocomplete: "name",
      maxlength: 200,
      value: author.name,
    });
    const email = h("input", {
      class: "rj-input",
      name: "email",
      type: "email",
      autocomplete: "email",
      value: author.email,
      required: requireEmail,
    });
    const website = h("input", {
      class: "rj-input",
      name: "website",
      type: "url",
      autocomplete: "url",
      value: author.website,
    });
    fields["author.name"] = name;
    fields["author.email"] = email;
    fields["author.website"] = website;
    remember = h("input", { type: "checkbox", name: "remember", checked: !!author.name, id: widget.nextId() });
    // The bot trap (docs/moderation.md): people never see it, form-filling bots fill it in.
    trap = h("input", { name: "homepage", type: "text", tabindex: "-1", autocomplete: "off", id: widget.nextId() });
    rows.push(
      h("div", { class: "rj-hp", "aria-hidden": "true" }, h("label", { for: trap.id, text: t.trap }), trap),
      h(
        "div",
        { class: "rj-grid rj-guest" },
        field(widget.nextId(), t.name, name),
        field(widget.nextId(), requireEmail ? t.emailRequired : t.email, email, t.emailNote),
        field(widget.nextId(), t.website, website),
      ),
      h("div", { class: "rj-check rj-guest" }, remember, h("label", { for: remember.id, text: t.remember })),
    );
    subs = subscriptionBoxes(widget);
    if (subs) rows.push(subs.row);
    if (widget.settings.images?.enabled) {
      images = h("div", { class: "rj-images" });
      rows.push(images);
    }
  }
  const label = edit ? t.save : options.parent ? t.postReply : t.post;
  const submit = h("button", { type: "submit", class: "rj-btn rj-primary", text: label });
  const general = h("p", { class: "rj-error", role: "alert" });
  const close = () => {
    form.remove();
    if (widget.open && widget.open.form === form) widget.open = null;
    if (options.parent) {
      options.parent.replyButton?.setAttribute("aria-expanded", "false");
      options.parent.replyButton?.focus();
    }
    if (edit) {
      (edit.text as HTMLElement).hidden = false;
      (edit.actions as HTMLElement).hidden = false;
      edit.editButton?.focus();
    }
  };
  const form = h(
    "form",
    {
      class: edit ? "rj-form" : "rj-form rj-compose",
      novalidate: true,
      "aria-labelledby": options.labelledby,
      "aria-label": options.labelledby ? null : label,
    },
    ...rows,
    h(
      "div",
      { class: "rj-submit" },
      submit,
      (options.parent || edit) && h("button", { type: "button", class: "rj-btn", text: t.cancel, onclick: close }),
      general,
    ),
  );
  if (options.parent) widget.open = { item: options.parent, form, close };
  const token = { pending: edit ? null : widget.formTokenAtStart || widget.formToken(), at: Date.now() };
  if (!edit) widget.formTokenAtStart = null; // the one fetched at start serves the first form
  const parts: FormParts = {
    options,
    form,
    text,
    preview,
    previewButton,
    fields,
    remember,
    trap,
    subs,
    submit,
    general,
    label,
    token,
    close,
  };
  if (images) attach(widget, parts, images);
  text.addEventListener("focus", () => {
    // tokens last a day: renew one on a long-open page
    if (token.pending && Date.now() - token.at > 432e5)
      Object.assign(token, { pending: widget.formToken(), at: Date.now() });
  });
  text.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
  });
  text.addEventListener("input", () => {
    if (!preview.hidden) renderPreview(widget, text.value, preview);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitForm(widget, parts);
  });
  return form;
}

/** Opens (or closes again) the reply form under `item`. */
export function openReply(widget: Widget, item: Item): void {
  const open = widget.open;
  if (open) open.close();
  if (open?.item === item) return;
  const form = buildForm(widget, { parent: item });
  (item.slot as HTMLElement).append(form);
  item.replyButton?.setAttribute("aria-expanded", "true");
  form.querySelector("textarea")?.focus();
}
