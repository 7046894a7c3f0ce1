/** The parts loaded only when a reader needs them, each an ES module on rejoinder's origin at a
 * content-hashed URL (scripts/build-widget fills CHUNKS in). A classic script may import() a module:
 * no eval, nothing inline, so a strict CSP that allows rejoinder's origin for scripts allows them.
 * The parts that draw forms bring forms.css along, and resolve once both are here. */

import { h } from "./dom";

declare const CHUNKS: {
  signin: string;
  write: string;
  actions: string;
  social: string;
  forms: string;
};

export type SigninPart = typeof import("./signin");
export type WritePart = typeof import("./write");
export type ActionsPart = typeof import("./actions");
export type SocialPart = typeof import("./social");

interface Parts {
  signin: SigninPart;
  write: WritePart;
  actions: ActionsPart;
  social: SocialPart;
}

const loading: Partial<Record<keyof Parts, Promise<unknown>>> = {};
let forms: Promise<unknown> | undefined;

/** The forms' stylesheet, once, right after the widget's own (so that the site's rules still win). */
function formsStylesheet(origin: string): Promise<unknown> {
  if (!forms) {
    const link = h("link", { rel: "stylesheet", href: origin + CHUNKS.forms });
    forms = new Promise((resolve) => {
      link.onload = link.onerror = resolve;
      setTimeout(resolve, 3000);
    });
    const widgetSheet = document.querySelector(`link[href^="${origin}/embed."]`);
    if (widgetSheet) widgetSheet.after(link);
    else document.head.prepend(link);
  }
  return forms;
}

/** The part `name`, fetched once (a failed fetch is tried again at the next call). */
export function loadPart<K extends keyof Parts>(origin: string, name: K): Promise<Parts[K]> {
  let part = loading[name] as Promise<Parts[K]> | undefined;
  if (!part) {
    const code = import(origin + CHUNKS[name]) as Promise<Parts[K]>;
    part = name === "social" ? code : Promise.all([code, formsStylesheet(origin)]).then(([module]) => module);
    part.catch((error: unknown) => {
      delete loading[name];
      console.error(`[rejoinder] could not load ${name}:`, error);
    });
    loading[name] = part;
  }
  return part;
}
