/** A moderator's warning, shown when a post is refused with `commenter-warned` (part of the write part:
 * nothing of it is in the first paint): the message and a button that acknowledges it, after which the
 * reader posts again. */

import { h } from "./dom";
import type { Widget } from "./widget";

export const WARNING_STRINGS = {
  warned: "A moderator has sent you a warning",
  ackWarning: "I have read it",
};

/** Shows the warning above the form's error line (`general`); acknowledging it removes it and gives the
 * focus back to the form's submit button. */
export function showWarning(
  widget: Widget,
  warning: { id: string; message: string },
  general: HTMLElement,
  submit: HTMLElement,
): void {
  const t = widget.withStrings(WARNING_STRINGS);
  general.parentElement?.querySelector(".rj-warning")?.remove();
  const ack = h("button", { type: "button", class: "rj-btn", text: t.ackWarning });
  const box = h(
    "div",
    { class: "rj-warning", role: "alert" },
    h("strong", { text: t.warned }),
    h("p", { dir: "auto", text: warning.message }),
    ack,
  );
  ack.onclick = () =>
    widget.api("POST", `/api/warnings/${encodeURIComponent(warning.id)}/acknowledge`).then(
      () => {
        box.remove();
        general.textContent = "";
        submit.focus();
      },
      (error: Error) => {
        general.textContent = error.message;
      },
    );
  general.textContent = "";
  general.before(box);
  ack.focus();
}
