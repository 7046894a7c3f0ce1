/** The page-wide listeners of sign-in: the popup's messages and other tabs signing in or out. Part of the
 * write part (write.ts), which every reader loads right after the first paint: nothing can sign in before
 * (the popup opens on a click), and the first paint need not carry them. */

import type { Widget } from "./widget";

/** The widgets already listening (a retried start does not listen twice). */
const listening = new WeakSet<Widget>();

export function listen(widget: Widget): void {
  if (listening.has(widget)) return;
  listening.add(widget);
  // Only rejoinder's own pages (the sign-in popup) may talk to the widget.
  addEventListener("message", (event) => {
    const data = event.data;
    if (event.origin !== widget.origin || !data || typeof data !== "object") return;
    if (typeof data.type === "string" && data.type.startsWith("rejoinder:")) {
      widget.signin().then((part) => part.onMessage(widget, data));
    }
  });
  // Another tab of this site signed in or out.
  addEventListener("storage", (event) => {
    if (event.key !== "rejoinder.session" || !widget.auth) return;
    widget.client.token = widget.storage.load<string>("session");
    widget.status("");
    widget.signin().then((part) => part.signedIn(widget, null));
  });
}
