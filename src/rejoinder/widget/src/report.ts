/** Asking the moderators to look at a comment: reporting someone else's comment, and the author's one
 * appeal of a held or refused comment of their own (part of the actions part, actions.ts). */

import { isProblem } from "./api";
import { h } from "./dom";
import { errorOf, field } from "./fields";
import type { Item } from "./types";
import type { Widget } from "./widget";

export const REPORT_STRINGS = {
  appealWhy: "Why should a moderator look at it again?",
  sendAppeal: "Send appeal",
  reportWhy: "What is wrong with this comment?",
  reportNote: "Anything the moderators should know (optional)",
  sendReport: "Send report",
  cancel: "Cancel",
  appeal: "Appeal",
  appealSent: "Appeal sent",
  reported: "Thank you: the moderators will look at this comment.",
  legal: "Report illegal content",
  reportReasons: {
    spam: "Spam",
    abuse: "Abusive",
    "off-topic": "Off topic",
    illegal: "Illegal",
    other: "Something else",
  },
};

/** An inline form under `item`, opened by `button` (one inline form at a time); `send` posts it and
 * returns the text that replaces the button once it went through. */
function inlineForm(
  widget: Widget,
  item: Item,
  button: HTMLButtonElement,
  label: string,
  sendLabel: string,
  rows: HTMLElement[],
  focusFirst: HTMLElement,
  send: () => Promise<void>,
  done: string,
  onProblem: (code: string, message: string) => boolean,
): void {
  if (widget.open && widget.open.item === item && widget.open.form.dataset.for === label) {
    widget.open.close();
    return;
  }
  widget.open?.close();
  const submit = h("button", { type: "submit", class: "rj-btn rj-primary", text: sendLabel });
  const general = h("p", { class: "rj-error", role: "alert" });
  const close = (sent?: unknown) => {
    form.remove();
    widget.open = null;
    button.setAttribute("aria-expanded", "false");
    if (sent !== true) return button.focus();
    const note = h("span", { class: "rj-left", tabindex: "-1", text: done });
    button.replaceWith(note);
    note.focus();
    widget.announce(done);
  };
  const form = h(
    "form",
    { class: "rj-form", novalidate: true, "aria-label": label, "data-for": label },
    ...rows,
    h(
      "div",
      { class: "rj-submit" },
      submit,
      h("button", { type: "button", class: "rj-btn", text: widget.withStrings(REPORT_STRINGS).cancel, onclick: close }),
      general,
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    submit.disabled = true;
    general.textContent = "";
    try {
      await send();
      close(true);
    } catch (error) {
      if (!isProblem(error)) throw error;
      const code = error.p.code || "";
      if (code === "appeal-already-sent") return close(true);
      const message = widget.problemText(error);
      if (!onProblem(code, message)) general.textContent = message;
    } finally {
      submit.disabled = false;
    }
  });
  widget.open = { item, form, close };
  button.setAttribute("aria-expanded", "true");
  (item.slot as HTMLElement).append(form);
  focusFirst.focus();
}

/** The author asks the moderators once to look again at a held or refused comment. */
export function appeal(widget: Widget, item: Item): void {
  const t = widget.withStrings(REPORT_STRINGS);
  const note = h("textarea", { class: "rj-input", name: "note", rows: 3, maxlength: 500 });
  const row = field(widget.nextId(), t.appealWhy, note);
  const token = widget.editTokens[item.comment.id];
  inlineForm(
    widget,
    item,
    item.appealButton as HTMLButtonElement,
    t.appeal,
    t.sendAppeal,
    [row],
    note,
    async () => {
      note.removeAttribute("aria-invalid");
      errorOf(note).textContent = "";
      await widget.api(
        "POST",
        `/api/comments/${item.comment.id}/appeal`,
        { note: note.value },
        token ? token[0] : true,
      );
    },
    t.appealSent,
    (code, message) => {
      if (!/^appeal-/.test(code)) return false;
      note.setAttribute("aria-invalid", "true");
      errorOf(note).textContent = message;
      note.focus();
      return true;
    },
  );
}

/** A reader reports a public comment (spam, abuse, off topic, illegal, something else) with a note. */
export function report(widget: Widget, item: Item): void {
  const t = widget.withStrings(REPORT_STRINGS);
  const name = widget.nextId();
  const choices = (Object.keys(REPORT_STRINGS.reportReasons) as (keyof typeof REPORT_STRINGS.reportReasons)[]).map(
    (reason, index) => {
      const id = `${name}-${reason}`;
      return h(
        "div",
        { class: "rj-check" },
        h("input", { type: "radio", name, id, value: reason, checked: index === 0 }),
        h("label", { for: id, text: (t.reportReasons as Record<string, string>)[reason] || reason }),
      );
    },
  );
  const reasons = h("fieldset", { class: "rj-reasons" }, h("legend", { text: t.reportWhy }), ...choices);
  // Notices of illegal content (DSA Art. 16) ask for more than a report: rejoinder's own form page.
  const legal = h("a", {
    class: "rj-legal",
    href: `${widget.origin}/legal-notice?comment=${item.comment.id}&lang=${widget.language}`,
    target: "_blank",
    rel: "noopener",
    text: t.legal,
  });
  const note = h("textarea", { class: "rj-input", name: "note", rows: 2, maxlength: 1000 });
  const row = field(widget.nextId(), t.reportNote, note);
  inlineForm(
    widget,
    item,
    item.reportButton as HTMLButtonElement,
    t.report,
    t.sendReport,
    [reasons, row, h("p", null, legal)],
    choices[0]?.querySelector("input") as HTMLInputElement,
    async () => {
      const chosen = reasons.querySelector<HTMLInputElement>("input:checked");
      await widget.api(
        "POST",
        `/api/comments/${item.comment.id}/report`,
        { reason: chosen ? chosen.value : "other", note: note.value.trim() || null },
        true,
      );
    },
    t.reported,
    () => false,
  );
}
