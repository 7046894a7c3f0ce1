/** Loaded when sign-in matters (the site offers providers, or the reader has a session): the sign-in
 * buttons, the popup and redirect flows, link offers, publisher SSO and the signed-in menu
 * (docs/sign-in.md, "For widget authors"). */

import { h } from "./dom";
import { fill } from "./i18n";
import type { Me, Provider } from "./types";
import type { Widget } from "./widget";

export const SIGNIN_STRINGS = {
  signInTo: "Sign in to comment:",
  orSignIn: "or sign in with …",
  signInWith: "Sign in with {name}",
  connecting: "Connecting to {name}…",
  as: "You are commenting as {name} (via {via})",
  logout: "Log out",
  change: "Change",
  loggedOut: "You are logged out.",
  another: "Sign in with another account",
  addMethod: "Add a sign-in method to this account:",
  addWith: "Add sign-in with {name}",
  addPasskey: "Add a passkey",
  linked: "The sign-in method was added to your account.",
  showMe: "Show my name in “people like this”",
  offer:
    "An account with this email address already exists. Sign in to it to add this sign-in method there, or keep the two accounts apart.",
  offerVia: "That account signs in with {via}.",
  useIt: "Sign in to that account",
  apart: "Keep them apart",
  signInFailed: "Sign-in did not complete. {msg}",
  expired: "Your sign-in has ended. Sign in again to comment under your name.",
  myData: "Download my data",
  deleteAccount: "Delete my account",
  deleteWhat: "Delete your account for good? Your comments:",
  deleteRemove: "Remove them",
  deleteKeep: "Keep them, as written by a deleted user",
  accountDeleted: "Your account is deleted.",
  mutes: "Muted commenters",
  inbox: "Your inbox",
  repliesToYou: "New replies to you: {n}",
};

const strings = (widget: Widget) => widget.withStrings(SIGNIN_STRINGS);

/** The `sub` of a publisher SSO token (not verified here: the server does that). */
function subject(jwt: string): string | null {
  try {
    const payload = (jwt.split(".")[1] as string).replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).sub;
  } catch {
    return null;
  }
}

/** The sign-in area under the form: the buttons for a guest, "You are commenting as …" once signed in. */
export function drawAuth(widget: Widget): void {
  const t = strings(widget);
  const me = widget.me;
  if (!me) {
    widget.auth.replaceChildren(
      ...(widget.providers.length
        ? [h("p", { text: widget.settings.allow_guests === false ? t.signInTo : t.orSignIn }), buttons(widget, false)]
        : []),
    );
    return;
  }
  const button = (text: string, onclick: () => void, more?: Record<string, string>) =>
    h("button", { type: "button", class: "rj-btn rj-link", text, onclick, ...more });
  const add = buttons(widget, true);
  const erase = h(
    "div",
    { class: "rj-menu", id: widget.nextId(), hidden: true },
    h("p", { text: t.deleteWhat }),
    button(t.deleteRemove, () => deleteAccount(widget, "remove")),
    " · ",
    button(t.deleteKeep, () => deleteAccount(widget, "anonymise")),
  );
  const toggle: HTMLButtonElement = button(
    t.deleteAccount,
    () => {
      erase.hidden = !erase.hidden;
      toggle.setAttribute("aria-expanded", String(!erase.hidden));
    },
    { "aria-expanded": "false", "aria-controls": erase.id },
  );
  const menu = h(
    "div",
    { class: "rj-menu", id: widget.nextId(), hidden: true },
    button(t.another, () => logout(widget, true)),
    add.children.length > 0 && h("p", { text: t.addMethod }),
    add,
    h(
      "p",
      null,
      button(t.myData, () => downloadData(widget)),
      " · ",
      toggle,
    ),
    erase,
  );
  const change = button(
    t.change,
    () => {
      menu.hidden = !menu.hidden;
      change.setAttribute("aria-expanded", String(!menu.hidden));
    },
    { "aria-expanded": "false", "aria-controls": menu.id },
  );
  const mutes: HTMLButtonElement = button(
    t.mutes,
    () => widget.loadSocial().then((part) => part.manage(widget, mutes)),
    { "aria-expanded": "false" },
  );
  const show = h("input", {
    type: "checkbox",
    id: widget.nextId(),
    checked: !!me.identity.show_in_likes,
    onchange: () => showMe(widget, show),
  });
  widget.auth.replaceChildren(
    h(
      "p",
      null,
      ...fillParts<string | Node>(t.as, {
        name: h("strong", { text: me.identity.display_name }),
        via: me.provider.label,
      }),
      " · ",
      button(t.logout, () => logout(widget, true)),
      " · ",
      change,
      " · ",
      mutes,
      inbox(widget),
    ),
    menu,
    h("div", { class: "rj-check" }, show, h("label", { for: show.id, text: t.showMe })),
  );
}

/** The reader's inbox link, with "New replies to you: N" when there are (fetched per reader, never from
 * the shared thread read); drawn into its place once the answer is here. The page opens on rejoinder's
 * origin from a link valid for an hour. */
function inbox(widget: Widget): HTMLElement {
  const t = strings(widget);
  const place = h("span", { hidden: true });
  if (leaving) return place; // the session is ending: asking with it would be refused (401)
  const asked = widget.api<{ new_replies: number; path: string }>("GET", "/api/me/inbox", undefined, true);
  inboxAsked = asked.catch(() => {});
  asked
    .then((found) => {
      const count = found.new_replies;
      place.append(
        " · ",
        h("a", {
          class: count ? "rj-inbox rj-new" : "rj-inbox",
          href: widget.origin + found.path,
          target: "_blank",
          rel: "noopener",
          text: count ? fill(t.repliesToYou, { n: widget.formats.digits(count) }) : t.inbox,
        }),
      );
      place.hidden = false;
    })
    .catch(() => {});
  return place;
}

/** One button per provider; `link`: add a sign-in method to the signed-in account (those that `can_link`). */
function buttons(widget: Widget, link: boolean): HTMLUListElement {
  const t = strings(widget);
  return h(
    "ul",
    { class: "rj-providers" },
    ...widget.providers
      // A page of another origin only over http(s): `start` goes to location.assign.
      .filter(
        (provider) =>
          (!link || provider.can_link) && (provider.opens !== "page" || /^https?:\/\//.test(provider.start)),
      )
      .map((provider) => {
        const own = (link && (t as unknown as Record<string, string>)[provider.link_text]) || "";
        const name = own || provider.label;
        const label = own ? "{name}" : link ? t.addWith : t.signInWith;
        return h(
          "li",
          null,
          h(
            "button",
            {
              type: "button",
              class: "rj-btn",
              "aria-label": fill(label, { name }),
              onclick: () => signIn(widget, provider, link),
            },
            h("img", {
              src: `${widget.origin}/auth/icons/${encodeURIComponent(provider.icon || "generic")}.svg`,
              alt: "",
              width: 20,
              height: 20,
            }),
            h("span", { text: name }),
          ),
        );
      }),
  );
}

/** Opens rejoinder's sign-in popup (synchronously in the click, or browsers block it); without a popup
 * the page itself goes there and comes back with the answer in the fragment. */
function signIn(widget: Widget, provider: Provider, link?: boolean): void {
  const back = location.href.split("#")[0] as string;
  if (provider.opens === "page") {
    location.assign(`${provider.start + (provider.start.includes("?") ? "&" : "?")}return=${encodeURIComponent(back)}`);
    return;
  }
  const url = (mode: string, ticket?: string) =>
    `${widget.origin + provider.start}?${new URLSearchParams({
      site: widget.siteName as string,
      origin: location.origin,
      mode,
      return: back,
      lang: widget.language,
      ...(ticket && { link: ticket }),
    })}`;
  const popup = open(link ? "" : url("popup"), "rejoinder-signin", "popup,width=520,height=640");
  const go = (ticket?: string) =>
    popup ? popup.location.replace(url("popup", ticket)) : location.assign(url("redirect", ticket));
  widget.status(fill(strings(widget).connecting, { name: provider.label }));
  widget.waiting = true;
  if (link) {
    widget.api<{ ticket: string }>("POST", "/api/me/link-ticket", undefined, true).then(
      (answer) => go(answer.ticket),
      (error) => {
        popup?.close();
        widget.status(widget.problemText(error));
      },
    );
  } else if (!popup) go();
  clearInterval(widget.popupPoll);
  // The reader may close the popup without finishing: then "Connecting…" goes away.
  if (popup) {
    widget.popupPoll = setInterval(() => {
      if (popup.closed) {
        clearInterval(widget.popupPoll);
        if (widget.waiting) widget.status("");
      }
    }, 500);
  }
}

/** A message from rejoinder's own origin (the widget checked event.origin). */
export function onMessage(
  widget: Widget,
  data: {
    type: string;
    token?: unknown;
    offer?: unknown;
    existing?: { via: string | string[] };
    code?: string;
    message?: string;
  },
): void {
  // After the popup the clicked button is gone: the reader continues in the comment box.
  if (data.type === "rejoinder:session" && typeof data.token === "string") {
    session(widget, data.token, data as unknown as Me).then(() => {
      if (document.activeElement === document.body) widget.auth.parentElement?.querySelector("textarea")?.focus();
    });
  } else if (data.type === "rejoinder:link-offer") offer(widget, data.offer, data.existing);
  else if (data.type === "rejoinder:error") failed(widget, data.code as string, data.message);
}

/** After the first paint: a redirect-mode answer in the fragment, and the publisher's SSO token. */
export async function afterBoot(widget: Widget): Promise<void> {
  const fragment = widget.fragment;
  if (fragment) {
    const [kind, value] = fragment;
    widget.fragment = null;
    if (kind === "session") await session(widget, value);
    else if (kind === "error") await failed(widget, value);
    else offer(widget, value);
  }
  // Publisher SSO: the page names its logged-in user in a signed token; exchange it unless this
  // browser is already signed in as that user.
  const jwt = widget.options.ssoToken;
  if (jwt && (!widget.me || widget.storage.load("sso") !== subject(jwt))) {
    await sso(widget, jwt).catch((error) =>
      console.warn("[rejoinder] the SSO token was refused:", error.p ? error.p.detail || error.p.code : error),
    );
  }
}

/** The server said the session is no longer valid (it was forgotten): the guest form comes back. */
export function sessionLost(widget: Widget): void {
  widget.setMe(null);
  widget.status(strings(widget).expired);
}

/** Redirect mode brings only the code: its sentence comes from /locales/<lang>.errors.json, which the widget
 * fetches after its first paint in other languages, and in English only for this rare case. */
async function failed(widget: Widget, code: string, message?: string): Promise<void> {
  const t = strings(widget);
  const errors = widget.t.errors;
  if (!message && !errors[code]) await widget.loadErrors(true);
  console.warn(`[rejoinder] sign-in failed: ${code}`);
  widget.status(fill(t.signInFailed, { msg: errors[code] || message || errors["sign-in-failed"] || code }));
}

/** A new session (from the popup, the fragment or SSO); completes a link offer the reader accepted. */
async function session(widget: Widget, token: string, me?: Me | null): Promise<void> {
  const accepted = widget.storage.load<string>("offer");
  widget.storage.save("offer", null); // before the token: other tabs see the session and must not accept too
  widget.setToken(token);
  widget.status("");
  if (accepted) {
    me = await widget.api<Me>("POST", `/api/link-offers/${encodeURIComponent(accepted)}/accept`, undefined, true).then(
      (answer) => {
        widget.status(strings(widget).linked);
        return answer;
      },
      (error) => {
        widget.status(widget.problemText(error));
        return null;
      },
    );
  }
  await signedIn(widget, me || null);
  if (widget.me) {
    const me = widget.me as Me;
    widget.announce(fill(strings(widget).as, { name: me.identity.display_name, via: me.provider.label }));
  }
}

export async function signedIn(widget: Widget, me: Me | null): Promise<void> {
  await widget.setMe(
    me?.identity
      ? me
      : widget.client.token
        ? await widget.api<Me>("GET", "/api/me", undefined, true).catch(() => null)
        : null,
  );
  await widget.loadViewer();
  widget.loadSocial();
}

function offer(widget: Widget, id: unknown, existing?: { via: string | string[] }): void {
  if (typeof id !== "string") return;
  const t = strings(widget);
  // existing.via: the providers the existing account signs in with (names), to offer the first of them.
  const names: string[] = existing ? ([] as string[]).concat(existing.via) : [];
  const known = names.map((name) => widget.providers.find((provider) => provider.name === name));
  const via = known.find(Boolean);
  widget.status(t.offer);
  widget.note.append(
    names.length ? ` ${fill(t.offerVia, { via: names.map((name, i) => known[i]?.label || name).join(", ") })}` : "",
    h("br"),
    h("button", {
      type: "button",
      class: "rj-btn rj-primary",
      text: t.useIt,
      onclick: () => {
        widget.storage.save("offer", id);
        if (via) signIn(widget, via);
        else widget.auth.querySelector("button")?.focus();
      },
    }),
    " ",
    h("button", {
      type: "button",
      class: "rj-btn",
      text: t.apart,
      onclick: () =>
        widget.api<Me & { token: string }>("POST", `/api/link-offers/${encodeURIComponent(id)}/decline`).then(
          (answer) => session(widget, answer.token, answer),
          (error) => widget.status(widget.problemText(error)),
        ),
    }),
  );
}

/** window.rejoinder.sso(jwt): exchanges the publisher's token for a session; resolves to the identity. */
export async function sso(widget: Widget, jwt: string): Promise<Me["identity"]> {
  const answer = await widget.api<Me & { token: string }>("POST", "/api/auth/sso", {
    site: widget.siteName,
    token: jwt,
  });
  widget.storage.save("sso", subject(jwt));
  await session(widget, answer.token, answer);
  return answer.identity;
}

/** Log out (and window.rejoinder.logout()); `focus`: the reader clicked, keep the keyboard on a button. */
/** Whether a logout has begun (nothing more is asked with the ending session), and the inbox count asked
 * for last: a logout waits for it, so that it is not answered after the session ended (the browser would
 * log that 401 itself). For the page: every widget on it shares the one session. */
let leaving = false;
let inboxAsked: Promise<unknown> | undefined;

export async function logout(widget: Widget, focus?: boolean): Promise<void> {
  leaving = true;
  try {
    await inboxAsked;
    if (widget.client.token) await widget.api("POST", "/api/logout", undefined, true).catch(() => null);
    widget.setToken(null);
  } finally {
    leaving = false;
  }
  await widget.setMe(null);
  widget.status(strings(widget).loggedOut);
  const first = widget.auth.querySelector("button");
  if (focus && first) first.focus();
  await widget.loadViewer();
}

/** Everything the server holds about the reader (GET /api/me/data), saved as a JSON file. */
async function downloadData(widget: Widget): Promise<void> {
  try {
    const data = await widget.api<unknown>("GET", "/api/me/data", undefined, true);
    const file = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
    const link = h("a", { href: file, download: "rejoinder-data.json", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(file), 1000);
  } catch (error) {
    widget.announce(widget.problemText(error as never));
  }
}

/** Deletes the account (DELETE /api/me), its comments removed or kept anonymous, then shows the thread anew. */
async function deleteAccount(widget: Widget, comments: "remove" | "anonymise"): Promise<void> {
  try {
    await widget.api("DELETE", `/api/me?comments=${comments}`, undefined, true);
  } catch (error) {
    widget.announce(widget.problemText(error as never));
    return;
  }
  widget.setToken(null);
  await widget.setMe(null);
  widget.status(strings(widget).accountDeleted);
  await (await widget.actions()).changeSort(widget, widget.sort);
}

async function showMe(widget: Widget, box: HTMLInputElement): Promise<void> {
  try {
    widget.me = await widget.api<Me>("PATCH", "/api/me", { show_in_likes: box.checked }, true);
    (await widget.actions()).refreshLikes(widget);
  } catch (error) {
    box.checked = !box.checked;
    widget.announce(widget.problemText(error as never));
  }
}

/** Like fill(), but the values may be elements: a list of strings and nodes (still only text nodes). */
function fillParts<V extends string | Node>(template: string, values: Record<string, V>): (string | V)[] {
  return template
    .split(/\{(\w+)\}/)
    .map((part, index) => (index % 2 ? (part in values ? (values[part] as V) : `{${part}}`) : part));
}

/** What the widget calls (chunks.ts): one object, whose member names the build shortens (MANGLED). */
export default { drawAuth, onMessage, afterBoot, sessionLost, signedIn, sso, logout };
