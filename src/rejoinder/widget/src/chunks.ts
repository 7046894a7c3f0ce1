/** The parts loaded only when a reader needs them, each an ES module on rejoinder's origin at a
 * content-hashed URL (scripts/build-widget fills CHUNKS in). A classic script may import() a module:
 * no eval, nothing inline, so a strict CSP that allows rejoinder's origin for scripts allows them.
 * Their styles are in embed.css. */

declare const CHUNKS: {
  signin: string;
  write: string;
  actions: string;
};

export type SigninPart = typeof import("./signin")["default"];
export type WritePart = typeof import("./write")["default"];
export type ActionsPart = typeof import("./actions")["default"];

interface Parts {
  signin: SigninPart;
  write: WritePart;
  actions: ActionsPart;
}

const loading: Partial<Record<keyof Parts, Promise<unknown>>> = {};

/** The part `name`, fetched once (a failed fetch is tried again at the next call). */
export function loadPart<K extends keyof Parts>(origin: string, name: K): Promise<Parts[K]> {
  let part = loading[name] as Promise<Parts[K]> | undefined;
  if (!part) {
    part = import(origin + CHUNKS[name]).then((module) => module.default) as Promise<Parts[K]>;
    part.catch((error: unknown) => {
      delete loading[name];
      console.error(`[rejoinder] could not load ${name}:`, error);
    });
    loading[name] = part;
  }
  return part;
}
