/** The preview of a comment being written, built from text nodes only: paragraphs, quotes, list items,
 * **bold**, *italic*, `code` and [links](…). It approximates the server's Markdown; the posted comment
 * is rendered (and sanitised) by the server. */

import { h, safeUrl } from "./dom";

export function renderMarkdown(source: string, out: HTMLElement, emptyText: string, origin: string): void {
  out.replaceChildren();
  if (!source.trim()) {
    out.append(h("p", { class: "rj-hint", text: emptyText }));
    return;
  }
  for (const block of source.trim().split(/\n\s*\n/)) {
    const lines = block.split("\n");
    let element: HTMLElement;
    if (lines.every((line) => /^\s*[-*+] /.test(line))) {
      element = h("ul", null, ...lines.map((line) => inline(h("li"), line.replace(/^\s*[-*+] /, ""), origin)));
    } else if (lines.every((line) => /^>/.test(line))) {
      element = inline(h("blockquote"), lines.map((line) => line.replace(/^> ?/, "")).join("\n"), origin);
    } else element = inline(h("p"), block, origin);
    out.append(element);
  }
}

const SPAN = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*|_[^_\s][^_]*_|\[[^\]]+\]\([^)\s]+\))/;

function inline<E extends HTMLElement>(element: E, text: string, origin: string): E {
  for (const part of text.split(SPAN)) {
    if (!part) continue;
    const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part);
    if (part[0] === "`" && part.length > 2 && part.endsWith("`"))
      element.append(h("code", { text: part.slice(1, -1) }));
    else if (/^\*\*.+\*\*$/.test(part)) element.append(h("strong", { text: part.slice(2, -2) }));
    else if (/^([*_]).+\1$/.test(part)) element.append(h("em", { text: part.slice(1, -1) }));
    else if (link && safeUrl(link[2], origin) && /^https?:/i.test(link[2] as string)) {
      element.append(h("a", { href: link[2], rel: "nofollow ugc noopener", text: link[1] }));
    } else element.append(part);
  }
  return element;
}
