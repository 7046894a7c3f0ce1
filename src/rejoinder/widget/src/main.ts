/** embed.js: the comment widget (docs/embedding.md). A classic script, so that the host page's
 * `<script src=…/embed.js>` stays as documented; the parts a reader may never need are ES modules it
 * imports when needed (chunks.ts).
 *
 * It renders in the page (no iframe); every class starts with rj-; styles come from embed.css through a
 * <link>, never from style attributes, so the widget runs under a CSP without 'unsafe-inline'. Reader
 * data reaches the DOM only through textContent and safe attributes; the one HTML inserted is a comment's
 * `html`, which the server sanitised (src/rejoinder/domain/text.py). */

import { Client, isProblem } from "./api";
import { isPublic, reportFormButton } from "./comment";
import { focusOn, h, safeUrl } from "./dom";
import { fill } from "./i18n";
import { drawPeople } from "./thread";
import { type Fragment, type Options, Widget } from "./widget";

/** The content-hashed stylesheet (scripts/build-widget fills it in). */
declare const STYLESHEET: string;

/** The helpers the lazily loaded parts use that the first paint has anyway: scripts/build-widget builds the
 * parts with their imports of these modules read from this one object, so that no part bundles its own
 * copy. Not an API for the host page: undocumented and renamed by the build. */
const SHARED = { h, focusOn, safeUrl, fill, isProblem, isPublic, reportFormButton, drawPeople };
export type Shared = typeof SHARED;

function readFragment(): Fragment | null {
  // Redirect-mode sign-in answers in the fragment (docs/sign-in.md): read it, then drop it from the address
  // bar before anything else can read or share the URL.
  const match = /[#&]rejoinder-(session|link-offer|error)=([^&]*)/.exec(location.hash);
  if (!match) return null;
  history.replaceState(history.state, "", location.href.split("#")[0]);
  return [match[1] as string, decodeURIComponent(match[2] as string)];
}

function main(script: HTMLScriptElement): void {
  const origin = new URL(script.src).origin;
  const fragment = readFragment();
  const client = new Client(origin);
  let ready: (widget: Widget) => void = () => {};
  const booted = new Promise<Widget>((resolve) => {
    ready = resolve;
  });
  window.rejoinder = {
    sso: (jwt: string) => booted.then(async (widget) => (await widget.signin()).sso(widget, jwt)),
    logout: () => booted.then(async (widget) => (await widget.signin()).logout(widget)),
    shared: SHARED,
  };
  const start = () => {
    const options: Options = { ...script.dataset };
    const id = options.container || "rejoinder";
    const root = document.getElementById(id);
    if (!root) {
      console.error(`[rejoinder] no element with id="${id}" on this page`);
      return;
    }
    Object.assign(options, root.dataset);
    let loaded: (value?: unknown) => void = () => {};
    const widget = new Widget(
      root,
      options,
      client,
      new Promise((resolve) => {
        loaded = resolve;
      }),
      fragment,
    );
    // boot() asks for the thread before its first await, so before the stylesheet: adding the <link> costs
    // the task a few ms (4x that on a slow phone) that the thread's request need not wait for.
    widget.boot().then(() => ready(widget));
    if (document.querySelector(`link[href^="${origin}/embed."]`)) loaded();
    else {
      // First in <head>, so that the site's own rules for .rj-* come later and win.
      const link = h("link", { rel: "stylesheet", href: origin + STYLESHEET });
      link.onload = link.onerror = loaded;
      setTimeout(loaded, 3000);
      document.head.prepend(link);
    }
  };
  // The snippet puts the container before the script: then everything starts at once, without waiting
  // for the rest of the page to be parsed.
  const id = script.dataset.container || "rejoinder";
  if (document.readyState === "loading" && !document.getElementById(id)) {
    document.addEventListener("DOMContentLoaded", start);
  } else start();
}

declare global {
  interface Window {
    rejoinder: { sso: (jwt: string) => Promise<unknown>; logout: () => Promise<unknown>; shared: Shared };
  }
}

const script = document.currentScript as HTMLScriptElement | null;
if (script?.src) main(script);
else console.error("[rejoinder] load embed.js with <script src=…>");
