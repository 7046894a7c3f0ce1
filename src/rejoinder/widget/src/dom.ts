/** Building elements from safe parts only: text goes in through textContent, attributes through
 * setAttribute, never HTML. */

export type Child = Node | string | null | undefined | false;
export type PropValue = string | number | boolean | null | undefined | ((event: Event) => void);
export type Props = Record<string, PropValue> | null;

/** h("p", {class: "rj-x", text: "y", onclick: fn}, child…) */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const name in props) {
    const value = props[name];
    if (value == null || value === false) continue;
    if (name === "text") element.textContent = String(value);
    else if (typeof value === "function") element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...(children.filter((child) => child != null && child !== false) as (Node | string)[]));
  return element;
}

const SVG = "http://www.w3.org/2000/svg";

/** A 24×24 icon drawn by one path, hidden from screen readers. */
export function icon(path: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "rj-icon");
  const line = document.createElementNS(SVG, "path");
  line.setAttribute("d", path);
  svg.append(line);
  return svg;
}

export const HEART = "M12 20C6 16 3 12.5 3 8.8A4.5 4.5 0 0 1 12 6.6 4.5 4.5 0 0 1 21 8.8C21 12.5 18 16 12 20Z";
export const REPLY_ARROW = "M9 7 4 12l5 5M4 12h10a6 6 0 0 1 6 6";

/** Moves the keyboard focus to `element` (focusable by script if it was not) and scrolls it into view. */
export function focusOn(element: HTMLElement, block?: ScrollLogicalPosition): void {
  if (!element.hasAttribute("tabindex")) element.tabIndex = -1;
  element.focus({ preventScroll: true });
  element.scrollIntoView({ block: block || "nearest" });
}

/** An http(s) URL resolved against `base`, or null for anything else (javascript:, data:, garbage). */
export function safeUrl(url: string | null | undefined, base: string): string | null {
  try {
    const parsed = new URL(url as string, base);
    return /^https?:$/.test(parsed.protocol) ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Runs `task` once the browser has painted what the page holds now, when it is idle after that frame
 * (so after any task the frame queued), within 100 ms; after 500 ms at the latest (a hidden tab paints no
 * frames). */
export function afterPaint(task: () => void): void {
  let run: (() => void) | null = task;
  const once = () => {
    run?.();
    run = null;
  };
  requestAnimationFrame(() => idle(once));
  setTimeout(once, 500);
}

/** Runs `task` when the browser is idle, within 100 ms at the latest (setTimeout where there is no
 * requestIdleCallback, e.g. Safari: the options are then an ignored delay). */
export function idle(task: () => void): void {
  (window.requestIdleCallback || setTimeout)(task, { timeout: 100 });
}
