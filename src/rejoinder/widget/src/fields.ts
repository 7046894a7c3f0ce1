/** Labelled form fields and their error lines (the forms of the write and actions parts). */

import { h } from "./dom";

/** A labelled field with its hint and its error line; `id` names the input (the widget's nextId). */
export function field(id: string, label: string, input: HTMLElement, note?: string): HTMLDivElement {
  const error = h("p", { class: "rj-error", id: `${id}-e` });
  input.id = id;
  input.setAttribute("aria-describedby", `${note ? `${id}-n ` : ""}${id}-e`);
  return h(
    "div",
    { class: "rj-field" },
    h("label", { for: id, text: label }),
    input,
    note && h("p", { class: "rj-hint", id: `${id}-n`, text: note }),
    error,
  );
}

/** The error line under a field built by field(). */
export function errorOf(input: HTMLElement): HTMLElement {
  return document.getElementById(`${input.id}-e`) as HTMLElement;
}
