/** "Add an image" in the comment form of a site that takes images (docs/embedding.md#images). Part of the
 * write part (write.ts). Each chosen file is uploaded at once (POST /api/images: the
 * server re-encodes it); the form then posts the uploads' ids with the comment, each with the text
 * alternative the reader typed. */

import { h } from "./dom";
import type { FormParts } from "./form";
import type { Widget } from "./widget";

export const IMAGE_STRINGS = {
  attach: "Add an image",
  detach: "Remove image",
  imageAlt: "Describe the image",
};

export function attach(widget: Widget, parts: FormParts, row: HTMLElement): void {
  const t = widget.withStrings(IMAGE_STRINGS);
  const input = h("input", { type: "file", accept: "image/jpeg,image/png,image/webp,image/gif" });
  const added = () => row.querySelectorAll("input[name]") as NodeListOf<HTMLInputElement>;
  input.onchange = async () => {
    const file = (input.files as FileList)[0] as File;
    const headers: Record<string, string> = { "Content-Type": file.type };
    if (widget.client.token) headers.Authorization = `Bearer ${widget.client.token}`;
    input.value = "";
    const response = await fetch(`${widget.origin}/api/images?${new URLSearchParams({ url: widget.url })}`, {
      method: "POST",
      body: file,
      headers,
    });
    const answer = await response.json();
    parts.general.textContent = response.ok ? "" : t.errors[answer.code] || answer.detail;
    if (response.ok) {
      const item = h(
        "p",
        {},
        h("input", { class: "rj-input", name: answer.id, "aria-label": `${t.imageAlt}: ${file.name}` }),
        h("button", { type: "button", class: "rj-btn rj-link", text: t.detach, onclick: () => item.remove() }),
      );
      row.append(item);
    }
  };
  parts.more = {
    get images() {
      return [...added()].map((alt) => ({ id: alt.name, alt: alt.value }));
    },
  };
  parts.reset = () => {
    for (const alt of added()) alt.parentElement?.remove();
  };
  row.append(h("label", { class: "rj-btn" }, t.attach, input));
}
