/* rejoinder comment widget: one hand-written file, no build, no framework (docs/embedding.md).
 * Renders in the page (no iframe); every class starts with rj-; styles come from /embed.css through a
 * <link>, never from style attributes, so the widget runs under a CSP without 'unsafe-inline'.
 * Reader data reaches the DOM only through textContent and safe attributes; the one HTML inserted is
 * a comment's `html`, which the server sanitised (src/rejoinder/domain/text.py). */
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.src) return console.error("[rejoinder] load embed.js with <script src=…>");
  const API = new URL(script.src).origin;
  const CSS = "/embed.css"; // the server rewrites this to the content-hashed stylesheet
  const LANGS = ["en", "de", "fr", "es", "pt"];
  const EN = {
    responses: { one: "{n} Response", other: "{n} Responses" },
    likes: { one: "{n} person likes this", other: "{n} people like this" },
    firstLike: "Be the first to like this",
    like: "Like", likeArticle: "Like this article", likers: "Recent likes",
    sort: "Sort by", oldest: "Oldest", newest: "Newest", top: "Top",
    reply: "Reply", replyTo: "Reply to {name}", inReplyTo: "in reply to {name}", someone: "a deleted comment",
    deleted: "This comment was deleted.", held: "Awaiting moderation: only you can see this comment.",
    refused: "Not published: {msg}", appeal: "Appeal", appealWhy: "Why should a moderator look at it again?",
    sendAppeal: "Send appeal", appealSent: "Appeal sent", trap: "Leave this field empty",
    edited: "edited", edit: "Edit", del: "Delete", save: "Save", cancel: "Cancel",
    confirmDel: "Delete this comment for good?", left: "{t} left to edit or delete",
    leave: "Leave a Reply", text: "Comment", preview: "Preview", empty: "Nothing to preview yet.",
    hint: "Markdown works: **bold**, *italic*, `code`, [link](https://…), > quote.",
    name: "Name", email: "Email (optional)", emailRequired: "Email (required)", emailNote: "Never shown to anyone.",
    website: "Website (optional)", remember: "Remember my name, email and website in this browser",
    post: "Post comment", postReply: "Post reply", posting: "Posting…", saving: "Saving…",
    posted: "Your comment was posted.", replied: "Your reply was posted.", updated: "Your comment was updated.",
    removed: "Your comment was deleted.", failed: "Your comment was not posted: {msg}",
    more: "Load more comments", earlier: "Show earlier comments", loading: "Loading comments…",
    loadFailed: "Comments could not be loaded.", retry: "Try again", link: "Link to this comment",
    offline: "The comment server could not be reached. Check your connection and try again.",
    notAllowed: "Comments are not enabled for this website: its address is not registered with the comment server.",
    closed: "Commenting is closed.", signInTo: "Sign in to comment:",
    orSignIn: "or sign in with …", signInWith: "Sign in with {name}", connecting: "Connecting to {name}…",
    as: "You are commenting as {name} (via {via})", logout: "Log out", change: "Change", loggedOut: "You are logged out.",
    another: "Sign in with another account", addMethod: "Add a sign-in method to this account:",
    addWith: "Add sign-in with {name}", addPasskey: "Add a passkey", linked: "The sign-in method was added to your account.",
    showMe: "Show my name in “people like this”", expired: "Your sign-in has ended. Sign in again to comment under your name.",
    offer: "An account with this email address already exists. Sign in to it to add this sign-in method there, or keep the two accounts apart.",
    offerVia: "That account signs in with {via}.", useIt: "Sign in to that account", apart: "Keep them apart",
    signInFailed: "Sign-in did not complete. {msg}",
    staff: "Staff", staffSr: ": a moderator of this site", pinned: "Pinned", featured: "Featured", byMod: " by a moderator",
    errors: {},
  };

  const store = (() => {
    const mem = {};
    const get = (k) => { try { return JSON.parse(localStorage.getItem("rejoinder." + k)); } catch { return mem[k]; } };
    const set = (k, v) => {
      mem[k] = v;
      try { v == null ? localStorage.removeItem("rejoinder." + k) : localStorage.setItem("rejoinder." + k, JSON.stringify(v)); } catch { /* storage off */ }
    };
    return { get, set };
  })();
  const visitor = (() => {
    let id = store.get("visitor");
    if (typeof id !== "string" || !/^[\w-]{16,128}$/.test(id)) {
      const bytes = crypto.getRandomValues(new Uint8Array(18));
      id = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
      store.set("visitor", id);
    }
    return id;
  })();

  // Redirect-mode sign-in answers in the fragment (docs/sign-in.md): read it, then drop it from the address
  // bar before anything else can read or share the URL.
  let frag = /[#&]rejoinder-(session|link-offer|error)=([^&]*)/.exec(location.hash);
  if (frag) {
    history.replaceState(history.state, "", location.href.split("#")[0]);
    frag[2] = decodeURIComponent(frag[2]);
  }
  let token = store.get("session"); // the reader’s bearer session, or null for a guest
  let lost = () => {}; // called when the server says the session is no longer valid
  let ready;
  const booted = new Promise((ok) => { ready = ok; });
  window.rejoinder = { sso: (jwt) => booted.then((w) => w.sso(jwt)), logout: () => booted.then((w) => w.logout()) };

  // h("p", {class: "rj-x", text: "y", onclick: fn}, child…): an element built from safe parts only (svg
  // and path in the SVG namespace, for the icons).
  const h = (tag, props, ...kids) => {
    const el = /^(svg|path)$/.test(tag) ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
    for (const k in props) {
      const v = props[k];
      if (v == null || v === false) continue;
      if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : v);
    }
    el.append(...kids.filter((x) => x != null && x !== false));
    return el;
  };
  const icon = (d) => h("svg", { viewBox: "0 0 24 24", "aria-hidden": "true", class: "rj-icon" }, h("path", { d }));
  const HEART = "M12 20C6 16 3 12.5 3 8.8A4.5 4.5 0 0 1 12 6.6 4.5 4.5 0 0 1 21 8.8C21 12.5 18 16 12 20Z";
  let uid = 0;
  const nextId = () => "rj-" + ++uid;
  const pub = (c) => c.status === "published" || c.status === "approved"; // public: published or approved
  const sub = (jwt) => { try { return JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).sub; } catch { return null; } };
  const safeUrl = (u) => { try { const x = new URL(u, API); return /^https?:$/.test(x.protocol) ? x.href : null; } catch { return null; } };

  class Problem extends Error {
    constructor(p, status) { super(p.detail || "HTTP " + status); this.p = p; this.status = status; }
  }
  // reader: true (or an edit token) for requests about this reader: they carry the visitor id and session.
  async function api(method, path, body, reader) {
    const headers = {};
    if (reader) headers["Rejoinder-Visitor"] = visitor;
    const sent = reader != null && token;
    if (sent) headers.Authorization = "Bearer " + sent;
    if (typeof reader === "string") headers["Rejoinder-Edit-Token"] = reader;
    if (body) headers["Content-Type"] = "application/json";
    let res;
    try {
      // no-cache: always revalidate (a cheap 304 by ETag). The thread's Cache-Control allows shared caches
      // a few stale seconds, which a browser would otherwise also apply right after the reader's own write.
      res = await fetch(API + path, { method, headers, credentials: "omit", cache: "no-cache", body: body && JSON.stringify(body) });
    } catch (e) {
      throw new Problem({ code: "network", detail: "" }, 0);
    }
    if (res.status === 204) return null;
    const data = await res.json().catch(() => ({}));
    // Only the current session can end this way (not one logged out while this request was on its way).
    if (res.status === 401 && sent && sent === token && /^session-/.test(data.code)) lost();
    if (!res.ok) throw new Problem(data, res.status);
    return data;
  }

  function start() {
    const opts = Object.assign({}, script.dataset);
    const root = document.getElementById(opts.container || "rejoinder");
    if (!root) return console.error("[rejoinder] no element with id=\"" + (opts.container || "rejoinder") + "\" on this page");
    Object.assign(opts, root.dataset);
    let css = Promise.resolve();
    if (!document.querySelector('link[href^="' + API + '/embed."]')) {
      // First in <head>, so that the site's own rules for .rj-* come later and win.
      const link = h("link", { rel: "stylesheet", href: API + CSS });
      css = new Promise((ok) => { link.onload = link.onerror = ok; setTimeout(ok, 3000); });
      document.head.prepend(link);
    }
    const w = new Widget(root, opts, css);
    w.boot().then(() => ready(w));
  }

  class Widget {
    constructor(root, o, css) {
      this.root = root;
      this.css = css;
      this.o = o;
      this.url = o.url || document.querySelector('link[rel="canonical"]')?.href || location.href.split("#")[0];
      const q = new URLSearchParams();
      if (o.key) q.set("key", o.key);
      q.set("url", this.url);
      this.q = q.toString();
      this.title = o.title || document.title || undefined;
      this.sort = ["oldest", "newest", "top"].includes(o.sort) ? o.sort : "oldest";
      this.limit = parseInt(o.pageSize, 10) > 0 ? "&limit=" + Math.min(1000, parseInt(o.pageSize, 10)) : "";
      const lang = (o.lang || document.documentElement.lang || navigator.language || "en").toLowerCase().split(/[-_]/)[0];
      this.lang = LANGS.includes(lang) ? lang : "en";
      this.t = EN;
      this.providers = [];
      this.items = new Map();
      this.liked = new Set();
      this.tokens = store.get("edit") || {};
      // Kept 30 days past the edit window: a guest appeals a held or refused comment with its token.
      for (const id in this.tokens) if (this.tokens[id][1] < Date.now() - 2592e6) delete this.tokens[id];
      store.set("edit", this.tokens);
      this.gen = 0;
    }

    // ---- text helpers ------------------------------------------------------------------------------
    // Fills {placeholders}; with `parts`, a list of strings and the given elements (still only text nodes).
    f(s, vals, parts) {
      const out = s.split(/\{(\w+)\}/).map((p, i) => (i % 2 ? (p in vals ? vals[p] : "{" + p + "}") : p));
      return parts ? out : out.join("");
    }
    n(entry, n) { return this.f(entry[this.plural.select(n)] || entry.other, { n: this.num.format(n) }); }
    ago(ms) {
      const s = (ms - Date.now()) / 1000;
      for (const [unit, size] of [["year", 31536e3], ["month", 2592e3], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]]) {
        if (Math.abs(s) >= size) return this.rel.format(Math.round(s / size), unit);
      }
      return this.rel.format(0, "second");
    }
    announce(msg) {
      this.live.textContent = "";
      setTimeout(() => { this.live.textContent = msg; }, 60);
    }
    problemText(e) {
      return e.p.code === "network" ? this.t.offline : this.t.errors[e.p.code] || e.p.detail || e.message;
    }

    // ---- loading ------------------------------------------------------------------------------------
    async boot() {
      const root = this.root;
      if (!this.booted) {
        this.booted = true;
        this.applyTheme();
        new MutationObserver(() => this.applyTheme()).observe(root, { attributeFilter: ["data-theme"] });
        addEventListener("hashchange", () => { const id = this.targetId(); if (id && this.list) this.goto(id, true); });
        lost = () => {
          this.setToken(null);
          if (this.auth) this.setMe(null), this.status(this.t.expired);
        };
        // Only rejoinder's own pages (the sign-in popup) may talk to the widget.
        addEventListener("message", (e) => {
          const d = e.data;
          if (e.origin !== API || !d || typeof d !== "object") return;
          // After the popup the clicked button is gone: the reader continues in the comment box.
          if (d.type === "rejoinder:session" && typeof d.token === "string") {
            this.session(d.token, d).then(() => document.activeElement === document.body && this.auth.parentNode.querySelector("textarea")?.focus());
          }
          else if (d.type === "rejoinder:link-offer") this.offer(d.offer, d.existing);
          else if (d.type === "rejoinder:error") this.failed(d.code, d.message);
        });
        // Another tab of this site signed in or out.
        addEventListener("storage", (e) => {
          if (e.key !== "rejoinder.session" || !this.auth) return;
          token = store.get("session");
          this.status("");
          this.signedIn(null);
        });
      }
      root.classList.add("rj-root");
      root.setAttribute("aria-busy", "true");
      // Everything is requested at once: the thread (the page of a permalinked comment), the translation,
      // what is particular to this reader, the session's identity and the form token. The comments are
      // painted as soon as the thread (with the translation and stylesheet) is here; the rest joins later.
      const target = this.targetId();
      const thread = target
        ? api("GET", "/api/comments/" + encodeURIComponent(target) + "/page?sort=" + this.sort + this.limit).then(
          (r) => r.page, () => 1).then((n) => this.fetchPage(n))
        : this.fetchPage(1);
      thread.catch(() => {}); // handled below
      const locale = this.lang === "en" ? null : api("GET", "/locales/" + this.lang + ".json").catch((e) => {
        console.warn("[rejoinder] locale " + this.lang + " unavailable, using English", e.message);
        return null;
      });
      const me = token && api("GET", "/api/me", undefined, true).catch(() => null); // a 401 forgets the token
      this.shown = 0;
      this.viewer();
      this.ft = this.formToken();
      const loc = await locale;
      if (loc) this.t = Object.assign({}, EN, loc, { errors: Object.assign({}, loc.errors) });
      this.plural = new Intl.PluralRules(this.lang);
      this.num = new Intl.NumberFormat(this.lang);
      this.rel = new Intl.RelativeTimeFormat(this.lang, { numeric: "auto" });
      this.abs = new Intl.DateTimeFormat(this.lang, { dateStyle: "long", timeStyle: "short" });
      this.live = h("div", { class: "rj-sr", role: "status", "aria-live": "polite" });
      const status = h("p", { class: "rj-status", text: this.t.loading });
      root.replaceChildren(this.live, status);
      let data;
      try {
        data = await thread;
      } catch (e) {
        root.removeAttribute("aria-busy");
        if (e.p.code === "origin-not-allowed") {
          console.error("[rejoinder] " + (e.p.detail || "this page's origin is not allowed"));
          status.textContent = this.t.notAllowed;
        } else {
          console.error("[rejoinder] loading the thread failed:", e.p.detail || e.p.code || e.status);
          status.textContent = e.p.code === "network" ? this.t.offline : this.t.loadFailed + " " + this.problemText(e);
          status.append(" ", h("button", { type: "button", class: "rj-btn", text: this.t.retry, onclick: () => this.boot() }));
        }
        status.classList.add("rj-notice");
        return;
      }
      await this.css;
      // The site's settings (GET /api/threads `site`); data-max-depth still overrides the display depth.
      const s = this.s = data.site || {};
      this.maxDepth = Math.max(0, Math.min(10, parseInt(this.o.maxDepth || s.display_depth || 3, 10) || 0));
      root.classList.toggle("rj-members", s.allow_guests === false); // embed.css: sign-in only
      root.classList.toggle("rj-signed", !!token); // no guest fields while the session's identity loads
      // The sign-in buttons come after the thread: they are at the bottom, and the thread names the site.
      const providers = data.site && api("GET", "/api/auth/providers?site=" + encodeURIComponent(data.site.name)).catch(() => null);
      this.build(data);
      root.replaceChildren(this.live, this.section);
      await this.show(data, "replace");
      this.shown = 1;
      this.mark(); // when the reader's own state came first
      root.removeAttribute("aria-busy");
      if (target) this.goto(target, false);
      this.setMe(await me);
      const p = await providers;
      if (p) {
        this.site = p.site;
        this.providers = p.providers.filter((x) => x.kind !== "sso" || /^https?:\/\//.test(x.start)); // sso: the publisher’s login page
        this.setMe(this.me);
      }
      if (frag) {
        const [, kind, value] = frag;
        frag = null;
        if (kind === "session") await this.session(value);
        else if (kind === "error") this.failed(value);
        else this.offer(value);
      }
      // Publisher SSO: the page names its logged-in user in a signed token; exchange it unless this
      // browser is already signed in as that user.
      const jwt = this.o.ssoToken;
      if (jwt && (!this.me || store.get("sso") !== sub(jwt))) {
        await this.sso(jwt).catch((e) => console.warn("[rejoinder] the SSO token was refused:", e.p ? e.p.detail || e.p.code : e));
      }
    }
    applyTheme() {
      const theme = this.root.dataset.theme || this.o.theme;
      this.root.classList.toggle("rj-dark", theme === "dark");
      this.root.classList.toggle("rj-light", theme === "light");
    }
    targetId() {
      const m = /^#comment-([\w-]{1,64})$/.exec(location.hash);
      return m && m[1];
    }
    fetchPage(n) {
      return api("GET", "/api/threads?" + this.q + "&sort=" + this.sort + "&page=" + n + this.limit);
    }
    async goto(id, locate) {
      let item = this.items.get(id);
      if (!item && locate) {
        try {
          const r = await api("GET", "/api/comments/" + encodeURIComponent(id) + "/page?sort=" + this.sort + this.limit);
          await this.reload(r.page);
          item = this.items.get(id);
        } catch (e) { console.warn("[rejoinder] comment " + id + " not found"); }
      }
      if (!item) return;
      for (const el of this.list.querySelectorAll(".rj-target")) el.classList.remove("rj-target");
      item.li.classList.add("rj-target");
      this.focus(item.li, "center");
    }
    focus(el, block) {
      if (!el.hasAttribute("tabindex")) el.tabIndex = -1;
      el.focus({ preventScroll: true });
      el.scrollIntoView({ block: block || "nearest" });
    }

    // ---- the frame: heading, like row, sort, list, pager, form ---------------------------------------
    build(data) {
      const t = this.t;
      const hid = nextId();
      this.heading = h("h2", { class: "rj-title", id: hid, tabindex: "-1" });
      const sort = h("select", { class: "rj-select", id: nextId(), onchange: () => { this.sort = sort.value; this.reload(1).catch((e) => this.announce(this.problemText(e))); } },
        ...["oldest", "newest", "top"].map((s) => h("option", { value: s, selected: s === this.sort, text: t[s] })));
      this.likeBtn = h("button", { type: "button", class: "rj-btn rj-like", "aria-label": t.likeArticle, onclick: () => this.likeArticle() },
        icon(HEART), h("span", { text: t.like }));
      this.likeText = h("span", { class: "rj-like-text" });
      this.likers = h("ul", { class: "rj-likers", "aria-label": t.likers });
      this.list = h("ol", { class: "rj-list" });
      this.earlier = h("button", { type: "button", class: "rj-btn rj-pager", text: t.earlier, hidden: true, onclick: () => this.more(-1) });
      this.moreBtn = h("button", { type: "button", class: "rj-btn rj-pager", text: t.more, hidden: true, onclick: () => this.more(1) });
      const fh = nextId();
      this.section = h("section", { class: "rj-section", "aria-labelledby": hid },
        h("div", { class: "rj-head" }, this.heading,
          h("div", { class: "rj-sort" }, h("label", { for: sort.id, text: t.sort }), sort)),
        h("div", { class: "rj-likes" }, this.likeBtn, this.likeText, this.likers),
        this.earlier, this.list, this.moreBtn,
        h("div", { class: "rj-leave" }, h("h3", { class: "rj-subtitle", id: fh, text: t.leave }),
          this.s.commenting === false ? h("p", { class: "rj-notice", text: t.closed }) : this.form({ labelledby: fh }),
          this.auth = h("div", { class: "rj-auth", hidden: this.s.commenting === false }), this.note = h("div", { class: "rj-hint" })));
      this.thread(data.thread);
    }
    thread(th) {
      this.setCount(th.count);
      this.likeBtn.setAttribute("aria-pressed", String(!!this.likedThread));
      this.likeText.textContent = th.likes.count ? this.n(this.t.likes, th.likes.count) : this.t.firstLike;
      this.likers.replaceChildren(...th.likes.recent.map((l) => {
        const src = safeUrl(l.avatar);
        return h("li", null, src && h("img", { class: "rj-avatar rj-small", src, alt: l.name, title: l.name, width: 28, height: 28 }));
      }));
      this.likers.hidden = !th.likes.recent.length;
    }
    setCount(n) {
      this.count = Math.max(0, n);
      this.heading.textContent = this.n(this.t.responses, this.count);
    }
    async reload(page) {
      const data = await this.fetchPage(page);
      this.open = null;
      this.items.clear();
      this.list.replaceChildren();
      this.thread(data.thread);
      await this.show(data, "replace");
      this.mark();
    }
    async more(dir) {
      const btn = dir > 0 ? this.moreBtn : this.earlier;
      if (btn.getAttribute("aria-disabled")) return;
      btn.setAttribute("aria-disabled", "true"); // not disabled: that would drop the keyboard focus
      const last = this.list.lastElementChild;
      try {
        const data = await this.fetchPage(dir > 0 ? this.last + 1 : this.first - 1);
        await this.show(data, dir > 0 ? "append" : "prepend");
        // Keyboard users continue with the first comment that arrived.
        const first = dir > 0 ? last && last.nextElementSibling : btn.hidden && this.list.firstElementChild;
        if (first) this.focus(first);
      } catch (e) {
        this.announce(this.t.loadFailed + " " + this.problemText(e));
      } finally {
        btn.removeAttribute("aria-disabled");
      }
    }
    // Renders a page in chunks: the first screenful at once, the rest in idle time, so that a page of
    // thousands of comments never blocks input for long.
    show(data, how) {
      const gen = how === "replace" ? ++this.gen : this.gen;
      const p = data.page;
      if (how !== "append") this.first = p.number;
      if (how !== "prepend") this.last = p.number;
      this.pages = p.pages;
      this.earlier.hidden = this.first <= 1;
      this.moreBtn.hidden = this.last >= this.pages;
      const list = data.comments;
      const before = how === "prepend" ? this.list.firstChild : null;
      return new Promise((done) => {
        let i = 0;
        const step = () => {
          if (gen !== this.gen) return done();
          const frag = document.createDocumentFragment();
          const end = Math.min(list.length, i + (i ? 300 : 30));
          const imgs = this.imgs = [];
          for (; i < end; i++) if (!this.items.has(list[i].id)) frag.append(this.comment(list[i]));
          this.imgs = null;
          this.list.insertBefore(frag, before);
          // Their avatars and the rest when the browser is idle, once it painted these comments (setTimeout
          // without requestIdleCallback, e.g. Safari: the options are then an ignored delay).
          (window.requestIdleCallback || setTimeout)(() => {
            for (const [img, src] of imgs) img.src = src;
            if (i < list.length) step();
          }, { timeout: 100 });
          if (i >= list.length) done();
        };
        step();
      });
    }

    // ---- one comment ----------------------------------------------------------------------------------
    comment(c) {
      const t = this.t;
      const depth = Math.min(c.depth, this.maxDepth);
      const li = h("li", { class: "rj-comment rj-depth-" + depth, id: "comment-" + c.id });
      const item = { c, li };
      this.items.set(c.id, item);
      if (c.deleted) {
        li.classList.add("rj-deleted");
        li.append(h("p", { class: "rj-placeholder", text: t.deleted }));
        return li;
      }
      // A moderator's pin and feature (docs/moderation.md): a class for the look, words for everyone.
      const marks = ["pinned", "featured"].filter((k) => c[k]);
      for (const k of marks) li.classList.add("rj-" + k);
      const parent = c.parent && this.items.get(c.parent);
      const pname = parent ? parent.c.author.name || t.someone : t.someone;
      const site = c.author.website && safeUrl(c.author.website);
      const name = h(site ? "a" : "span", { class: "rj-name", href: site, rel: site && "nofollow ugc noopener", text: c.author.name });
      const when = Date.parse(c.created);
      const abs = this.abs.format(when);
      const avatar = safeUrl(c.author.avatar);
      let img = h("span", { class: "rj-avatar" });
      if (avatar) {
        img = h("img", { class: "rj-avatar", alt: "", width: 40, height: 40, loading: "lazy", decoding: "async" });
        this.imgs ? this.imgs.push([img, avatar]) : (img.src = avatar); // show(): after the first paint
      }
      item.text = h("div", { class: "rj-text" });
      item.text.innerHTML = c.html; // sanitised by the server: the only HTML the widget inserts
      item.likeBtn = h("button", { type: "button", class: "rj-btn rj-act", "aria-pressed": String(this.liked.has(c.id)), onclick: () => this.likeComment(item) },
        icon(HEART), h("span", { text: t.like }), item.likeCount = h("span", { class: "rj-count", text: c.likes ? this.num.format(c.likes) : "" }));
      item.actions = h("div", { class: "rj-actions" }, item.likeBtn);
      if (pub(c)) {
        if (this.s.commenting !== false) item.actions.append(item.replyBtn = h("button", { type: "button", class: "rj-btn rj-act rj-reply", "aria-expanded": "false", "aria-label": this.f(t.replyTo, { name: c.author.name }), onclick: () => this.reply(item) },
          icon("M9 7 4 12l5 5M4 12h10a6 6 0 0 1 6 6"), h("span", { text: t.reply })));
      } else {
        li.classList.add("rj-held");
        item.likeBtn.hidden = true;
        // The author may appeal once (with the comment's edit token, or signed in as its author).
        if (c.can_appeal && (this.tokens[c.id] || token)) {
          item.actions.append(item.appealBtn = h("button", { type: "button", class: "rj-btn rj-act", "aria-expanded": "false", text: t.appeal, onclick: () => this.appeal(item) }));
        } else if (c.appealed) item.actions.append(h("span", { class: "rj-left", text: t.appealSent }));
      }
      li.append(
        h("div", { class: "rj-card" },
          img,
          h("div", { class: "rj-main" },
            marks[0] && h("p", { class: "rj-marks" }, ...marks.map((k) => h("span", { class: "rj-mark rj-mark-" + k, text: t[k] }, h("span", { class: "rj-sr", text: t.byMod })))),
            h("div", { class: "rj-meta" }, name,
              c.staff && h("span", { class: "rj-badge rj-badge-staff", text: t.staff }, h("span", { class: "rj-sr", text: t.staffSr })),
              h("a", { class: "rj-time", href: "#comment-" + c.id, title: abs, "aria-label": this.ago(when) + ", " + abs + ". " + t.link },
                h("time", { datetime: c.created }, h("span", { class: "rj-rel", text: this.ago(when) }), h("span", { class: "rj-abs", text: abs }))),
              c.edited && h("span", { class: "rj-edited", text: t.edited })),
            c.parent && (c.depth > this.maxDepth
              ? h("p", { class: "rj-context" }, h("a", { href: "#comment-" + c.parent, text: this.f(t.inReplyTo, { name: pname }) }))
              : h("span", { class: "rj-sr", text: this.f(t.inReplyTo, { name: pname }) })),
            !pub(c) && h("p", { class: "rj-note", text: c.status === "pending" ? t.held + (c.reason ? " " + c.reason : "")
              : this.f(t.refused, { msg: c.reason }).replace(/[\s:]+$/, "") }),
            item.text, item.actions, item.slot = h("div", { class: "rj-slot" }))));
      this.ownControls(item);
      return li;
    }
    // Inserts a comment after its parent's last descendant (or at the end / the top, below the pinned, for new roots).
    place(c, focus) {
      const li = this.comment(c);
      const parent = c.parent && this.items.get(c.parent);
      if (parent) {
        let next = parent.li.nextElementSibling;
        while (next && this.depthOf(next) > parent.c.depth) next = next.nextElementSibling;
        this.list.insertBefore(li, next);
      } else if (this.sort === "newest") this.list.insertBefore(li, this.list.querySelector(".rj-depth-0:not(.rj-pinned)"));
      else this.list.append(li);
      if (focus) {
        li.classList.add("rj-new");
        setTimeout(() => li.classList.remove("rj-new"), 4000); // the highlight fades (CSS transition)
        this.focus(li, "center");
      }
      return li;
    }
    depthOf(li) {
      const item = this.items.get(li.id.slice(8));
      return item ? item.c.depth : -1;
    }

    // ---- likes ------------------------------------------------------------------------------------
    // What this reader liked, and wrote and is not public (held or refused): applied to the thread on
    // screen once both are there, whichever comes first.
    async viewer() {
      const get = () => api("GET", "/api/viewer?" + this.q, undefined, true);
      // A session that ended answers 401 and is forgotten (lost()): then ask again as a guest.
      this.v = await get().catch((e) => (e.status === 401 && !token ? get() : null)).catch(() => null) || { liked: [], own: [] };
      this.mark();
    }
    mark() {
      const v = this.v;
      if (!v || !this.shown) return;
      this.likedThread = v.liked_thread;
      this.liked = new Set(v.liked);
      this.likeBtn.setAttribute("aria-pressed", String(!!v.liked_thread));
      for (const [id, item] of this.items) if (item.likeBtn) item.likeBtn.setAttribute("aria-pressed", String(this.liked.has(id)));
      for (const c of v.own.concat(v.refused || [])) if (!this.items.has(c.id) && !c.deleted) this.place(c, null);
    }
    async likeArticle() {
      const btn = this.likeBtn;
      const on = btn.getAttribute("aria-pressed") !== "true";
      btn.disabled = true;
      try {
        const me = store.get("author");
        const r = await api(on ? "PUT" : "DELETE", "/api/threads/like?" + this.q, on ? { name: (me && me.name) || null, title: this.title } : undefined, true);
        this.likedThread = r.liked;
        await this.refreshLikes(r.likes);
        this.announce(this.likeText.textContent);
      } catch (e) {
        this.announce(this.problemText(e));
      } finally {
        btn.disabled = false;
      }
    }
    async refreshLikes(count) {
      const fresh = await api("GET", "/api/threads?" + this.q + "&limit=1").catch(() => null);
      const th = fresh ? fresh.thread : { likes: { count, recent: [] } };
      this.thread(Object.assign({}, th, { count: this.count }));
    }
    async likeComment(item) {
      const btn = item.likeBtn;
      const on = btn.getAttribute("aria-pressed") !== "true";
      btn.disabled = true;
      try {
        const r = await api(on ? "PUT" : "DELETE", "/api/comments/" + item.c.id + "/like", undefined, true);
        btn.setAttribute("aria-pressed", String(r.liked));
        item.likeCount.textContent = r.likes ? this.num.format(r.likes) : "";
        r.liked ? this.liked.add(item.c.id) : this.liked.delete(item.c.id);
      } catch (e) {
        this.announce(this.problemText(e));
      } finally {
        btn.disabled = false;
      }
    }

    // ---- sign-in (docs/sign-in.md, "For widget authors") ----------------------------------------------
    setToken(t) {
      token = t;
      store.set("session", t);
    }
    setMe(me) {
      this.me = me && token ? me : null;
      this.root.classList.toggle("rj-signed", !!this.me); // hides the guest fields (embed.css)
      const t = this.t;
      if (!this.me) return this.auth.replaceChildren(...(this.providers.length ? [h("p", { text: this.s.allow_guests === false ? t.signInTo : t.orSignIn }), this.buttons()] : []));
      const { identity, provider } = this.me;
      const btn = (text, onclick, more) => h("button", Object.assign({ type: "button", class: "rj-btn rj-link", text, onclick }, more));
      const add = this.buttons(true);
      const menu = h("div", { class: "rj-menu", id: nextId(), hidden: true },
        btn(t.another, () => this.logout(true)), add.children.length > 0 && h("p", { text: t.addMethod }), add);
      const change = btn(t.change, () => change.setAttribute("aria-expanded", String(!(menu.hidden = !menu.hidden))), { "aria-expanded": "false", "aria-controls": menu.id });
      const show = h("input", { type: "checkbox", id: nextId(), checked: identity.show_in_likes, onchange: () => this.showMe(show) });
      this.auth.replaceChildren(
        h("p", null, ...this.f(t.as, { name: h("strong", { text: identity.display_name }), via: provider.label }, 1), " · ", btn(t.logout, () => this.logout(true)), " · ", change),
        menu, h("div", { class: "rj-check" }, show, h("label", { for: show.id, text: t.showMe })));
    }
    buttons(link) {
      const t = this.t;
      return h("ul", { class: "rj-providers" }, ...this.providers.filter((p) => !link || p.kind !== "sso").map((p) => {
        const name = link && p.kind === "passkey" ? t.addPasskey : p.label;
        return h("li", null, h("button", { type: "button", class: "rj-btn", "aria-label": this.f(link ? (p.kind === "passkey" ? "{name}" : t.addWith) : t.signInWith, { name }), onclick: () => this.signIn(p, link) },
          h("img", { src: API + "/auth/icons/" + encodeURIComponent(p.icon || "generic") + ".svg", alt: "", width: 20, height: 20 }), h("span", { text: name })));
      }));
    }
    // Opens rejoinder's sign-in popup (synchronously in the click, or browsers block it); without a popup
    // the page itself goes there and comes back with the answer in the fragment.
    signIn(p, link) {
      const back = location.href.split("#")[0];
      if (p.kind === "sso") return location.assign(p.start + (p.start.includes("?") ? "&" : "?") + "return=" + encodeURIComponent(back));
      const url = (mode, ticket) => API + p.start + "?" + new URLSearchParams(Object.assign({ site: this.site, origin: location.origin, mode, return: back }, ticket && { link: ticket }));
      const win = open(link ? "" : url("popup"), "rejoinder-signin", "popup,width=520,height=640");
      const go = (ticket) => (win ? win.location.replace(url("popup", ticket)) : location.assign(url("redirect", ticket)));
      this.status(this.f(this.t.connecting, { name: p.label }));
      this.wait = 1;
      if (link) api("POST", "/api/me/link-ticket", undefined, true).then((r) => go(r.ticket), (e) => { if (win) win.close(); this.status(this.problemText(e)); });
      else if (!win) go();
      clearInterval(this.poll);
      // The reader may close the popup without finishing: then "Connecting…" goes away.
      if (win) this.poll = setInterval(() => { if (win.closed) { clearInterval(this.poll); if (this.wait) this.status(""); } }, 500);
    }
    status(msg) {
      this.wait = 0;
      this.note.replaceChildren(msg);
      if (msg) this.announce(msg);
    }
    // Redirect mode brings only the code: English keeps its sentences in en.json, fetched for this rare case.
    async failed(code, message) {
      const t = this.t;
      if (!message && !t.errors[code] && this.lang === "en") t.errors = (await api("GET", "/locales/en.json").catch(() => ({}))).errors || {};
      console.warn("[rejoinder] sign-in failed: " + code);
      this.status(this.f(t.signInFailed, { msg: t.errors[code] || message || t.errors["sign-in-failed"] || code }));
    }
    // A new session (from the popup, the fragment or SSO); completes a link offer the reader accepted.
    async session(tok, me) {
      const offer = store.get("offer");
      store.set("offer", null); // before the token: other tabs see the session and must not accept too
      this.setToken(tok);
      this.status("");
      if (offer) {
        me = await api("POST", "/api/link-offers/" + encodeURIComponent(offer) + "/accept", undefined, true)
          .then((r) => (this.status(this.t.linked), r), (e) => this.status(this.problemText(e)));
      }
      await this.signedIn(me);
      if (this.me) this.announce(this.f(this.t.as, { name: this.me.identity.display_name, via: this.me.provider.label }));
    }
    async signedIn(me) {
      this.setMe(me && me.identity ? me : token && await api("GET", "/api/me", undefined, true).catch(() => null));
      await this.viewer();
    }
    offer(id, existing) {
      if (typeof id !== "string") return;
      const t = this.t;
      // existing.via: the providers the existing account signs in with (names), to offer the first of them.
      const names = existing ? [].concat(existing.via) : [];
      const known = names.map((n) => this.providers.find((p) => p.name === n));
      const via = known.find(Boolean);
      this.status(t.offer);
      this.note.append(names.length ? " " + this.f(t.offerVia, { via: names.map((n, i) => (known[i] ? known[i].label : n)).join(", ") }) : "", h("br"),
        h("button", { type: "button", class: "rj-btn rj-primary", text: t.useIt, onclick: () => {
          store.set("offer", id);
          via ? this.signIn(via) : this.auth.querySelector("button")?.focus();
        } }), " ",
        h("button", { type: "button", class: "rj-btn", text: t.apart, onclick: () => api("POST", "/api/link-offers/" + encodeURIComponent(id) + "/decline")
          .then((r) => this.session(r.token, r), (e) => this.status(this.problemText(e))) }));
    }
    async sso(jwt) {
      const r = await api("POST", "/api/auth/sso", { site: this.site, token: jwt });
      store.set("sso", sub(jwt));
      await this.session(r.token, r);
      return r.identity;
    }
    async logout(focus) {
      if (token) await api("POST", "/api/logout", undefined, true).catch(() => null);
      this.setToken(null);
      this.setMe(null);
      this.status(this.t.loggedOut);
      const first = this.auth.querySelector("button");
      if (focus && first) first.focus();
      await this.viewer();
    }
    async showMe(box) {
      try {
        this.me = await api("PATCH", "/api/me", { show_in_likes: box.checked }, true);
        await this.refreshLikes();
      } catch (e) {
        box.checked = !box.checked;
        this.announce(this.problemText(e));
      }
    }

    // ---- forms ------------------------------------------------------------------------------------
    reply(item) {
      if (this.open && this.open.item === item) return this.open.close();
      if (this.open) this.open.close();
      const form = this.form({ parent: item });
      item.slot.append(form);
      item.replyBtn.setAttribute("aria-expanded", "true");
      form.querySelector("textarea").focus();
    }
    field(label, input, note) {
      const id = nextId();
      const err = h("p", { class: "rj-error", id: id + "-e" });
      input.id = id;
      input.setAttribute("aria-describedby", (note ? id + "-n " : "") + id + "-e");
      return h("div", { class: "rj-field" }, h("label", { for: id, text: label }), input,
        note && h("p", { class: "rj-hint", id: id + "-n", text: note }), err);
    }
    // mode: a new comment (no options), a reply ({parent}) or an edit ({edit: item}).
    form(opt) {
      const t = this.t;
      const edit = opt.edit;
      const me = store.get("author") || {};
      const text = h("textarea", { class: "rj-input rj-textarea", name: "text", rows: edit ? 4 : 5 });
      if (edit) text.value = edit.c.text;
      const preview = h("div", { class: "rj-preview rj-text", hidden: true });
      const toggle = h("button", { type: "button", class: "rj-btn rj-link", "aria-pressed": "false", text: t.preview, onclick: () => {
        const on = preview.hidden;
        preview.hidden = !on;
        toggle.setAttribute("aria-pressed", String(on));
        if (on) this.md(text.value, preview);
      } });
      const fields = { text };
      const rows = [this.field(t.text, text, t.hint), h("div", { class: "rj-tools" }, toggle), preview];
      let remember, trap;
      if (!edit) {
        fields["author.name"] = h("input", { class: "rj-input", name: "name", autocomplete: "name", maxlength: 200, value: me.name });
        fields["author.email"] = h("input", { class: "rj-input", name: "email", type: "email", autocomplete: "email", value: me.email, required: this.s.require_email });
        fields["author.website"] = h("input", { class: "rj-input", name: "website", type: "url", autocomplete: "url", value: me.website });
        remember = h("input", { type: "checkbox", name: "remember", checked: !!me.name, id: nextId() });
        // The bot trap (docs/moderation.md): people never see it, form-filling bots fill it in.
        trap = h("input", { name: "homepage", type: "text", tabindex: "-1", autocomplete: "off", id: nextId() });
        rows.push(h("div", { class: "rj-hp", "aria-hidden": "true" }, h("label", { for: trap.id, text: t.trap }), trap),
          h("div", { class: "rj-grid rj-guest" },
          this.field(t.name, fields["author.name"]),
          this.field(this.s.require_email ? t.emailRequired : t.email, fields["author.email"], t.emailNote),
          this.field(t.website, fields["author.website"])),
        h("div", { class: "rj-check rj-guest" }, remember, h("label", { for: remember.id, text: t.remember })));
      }
      const label = edit ? t.save : opt.parent ? t.postReply : t.post;
      const submit = h("button", { type: "submit", class: "rj-btn rj-primary", text: label });
      const general = h("p", { class: "rj-error", role: "alert" });
      const close = () => {
        form.remove();
        if (this.open && this.open.form === form) this.open = null;
        if (opt.parent) {
          opt.parent.replyBtn.setAttribute("aria-expanded", "false");
          opt.parent.replyBtn.focus();
        }
        if (edit) {
          edit.text.hidden = false;
          edit.actions.hidden = false;
          edit.editBtn && edit.editBtn.focus();
        }
      };
      const form = h("form", { class: edit ? "rj-form" : "rj-form rj-compose", novalidate: true, "aria-labelledby": opt.labelledby, "aria-label": opt.labelledby ? null : label },
        ...rows, h("div", { class: "rj-submit" }, submit,
          (opt.parent || edit) && h("button", { type: "button", class: "rj-btn", text: t.cancel, onclick: close }), general));
      if (opt.parent) this.open = { item: opt.parent, form, close };
      // A signed "form shown at" token for the server's moderation (posting too fast is refused).
      const tok = { p: edit ? null : this.ft || this.formToken(), at: Date.now() };
      if (!edit) this.ft = null; // the one fetched at start serves the first form
      text.addEventListener("focus", () => { // tokens last a day: renew one on a long-open page
        if (tok.p && Date.now() - tok.at > 432e5) Object.assign(tok, { p: this.formToken(), at: Date.now() });
      });
      text.addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) form.requestSubmit(); });
      text.addEventListener("input", () => { if (!preview.hidden) this.md(text.value, preview); });
      let busy = false;
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        if (busy) return;
        busy = true;
        submit.disabled = true;
        submit.textContent = edit ? t.saving : t.posting;
        form.setAttribute("aria-busy", "true");
        for (const k in fields) { fields[k].removeAttribute("aria-invalid"); this.errorOf(fields[k]).textContent = ""; }
        general.textContent = "";
        try {
          if (edit) await this.saveEdit(edit, text.value, close);
          else await this.post(opt.parent, fields, remember, tok, trap, () => { text.value = ""; preview.hidden = true; toggle.setAttribute("aria-pressed", "false"); });
        } catch (err) {
          if (!(err instanceof Problem)) throw err;
          const msg = this.problemText(err);
          let first = null;
          for (const fe of err.p.errors || []) {
            const input = fields[fe.field];
            if (!input) continue;
            input.setAttribute("aria-invalid", "true");
            this.errorOf(input).textContent = this.t.errors[fe.code] || fe.message;
            first = first || input;
          }
          if (first) { first.focus(); this.announce(this.f(t.failed, { msg })); } else general.textContent = msg;
        } finally {
          busy = false;
          submit.disabled = false;
          submit.textContent = label;
          form.removeAttribute("aria-busy");
        }
      });
      return form;
    }
    errorOf(input) { return document.getElementById(input.id + "-e"); }
    formToken() {
      return api("GET", "/api/form-token").then((r) => r.token, () => null);
    }
    async post(parent, fields, remember, tok, trap, reset) {
      const author = {
        name: fields["author.name"].value,
        email: fields["author.email"].value.trim() || null,
        website: fields["author.website"].value.trim() || null,
      };
      const body = { text: fields.text.value, title: this.title, parent: parent ? parent.c.id : null, author };
      if (this.o.key) body.key = this.o.key;
      body.url = this.url;
      const token = await tok.p;
      if (token) body.form_token = token;
      if (trap.value) body.honeypot = trap.value;
      const c = await api("POST", "/api/comments", body, true);
      c.can_appeal = c.status === "pending";
      Object.assign(tok, { p: this.formToken(), at: Date.now() });
      if (!this.me) store.set("author", remember.checked ? author : null);
      this.tokens[c.id] = [c.edit_token, Date.parse(c.edit_until)];
      store.set("edit", this.tokens);
      reset();
      if (parent) this.open.close();
      if (pub(c)) this.setCount(this.count + 1);
      this.place(c, true);
      this.announce(parent ? this.t.replied : this.t.posted);
    }
    async saveEdit(item, text, close) {
      const token = this.tokens[item.c.id];
      const c = await api("PATCH", "/api/comments/" + item.c.id, { text }, token ? token[0] : "");
      item.c = Object.assign({}, item.c, { text: c.text, html: c.html, edited: c.edited });
      item.text.innerHTML = c.html; // sanitised by the server
      if (!item.li.querySelector(".rj-edited")) item.li.querySelector(".rj-meta").append(h("span", { class: "rj-edited", text: this.t.edited }));
      close();
      this.announce(this.t.updated);
    }

    // ---- appeals: the author asks the moderators once to look again at a held or refused comment ------
    appeal(item) {
      if (this.open && this.open.item === item) return this.open.close();
      if (this.open) this.open.close();
      const t = this.t;
      const btn = item.appealBtn;
      const note = h("textarea", { class: "rj-input", name: "note", rows: 3, maxlength: 500 });
      const send = h("button", { type: "submit", class: "rj-btn rj-primary", text: t.sendAppeal });
      const general = h("p", { class: "rj-error", role: "alert" });
      const close = (done) => {
        form.remove();
        this.open = null;
        btn.setAttribute("aria-expanded", "false");
        if (done !== true) return btn.focus();
        const sent = h("span", { class: "rj-left", tabindex: "-1", text: t.appealSent });
        btn.replaceWith(sent);
        sent.focus();
        this.announce(t.appealSent);
      };
      const form = h("form", { class: "rj-form", novalidate: true, "aria-label": t.appeal }, this.field(t.appealWhy, note),
        h("div", { class: "rj-submit" }, send, h("button", { type: "button", class: "rj-btn", text: t.cancel, onclick: close }), general));
      form.addEventListener("submit", async (e) => {
        e.preventDefault();
        if (send.disabled) return;
        send.disabled = true;
        note.removeAttribute("aria-invalid");
        this.errorOf(note).textContent = general.textContent = "";
        const tok = this.tokens[item.c.id];
        try {
          await api("POST", "/api/comments/" + item.c.id + "/appeal", { note: note.value }, tok ? tok[0] : true);
          close(true);
        } catch (err) {
          if (err.p.code === "appeal-already-sent") return close(true);
          const msg = this.problemText(err);
          if (!/^appeal-/.test(err.p.code)) return (general.textContent = msg);
          note.setAttribute("aria-invalid", "true");
          this.errorOf(note).textContent = msg;
          note.focus();
        } finally {
          send.disabled = false;
        }
      });
      this.open = { item, form, close };
      btn.setAttribute("aria-expanded", "true");
      item.slot.append(form);
      note.focus();
    }

    // ---- own comments: edit and delete within the window -------------------------------------------
    ownControls(item) {
      const tok = this.tokens[item.c.id];
      if (!tok || tok[1] <= Date.now()) return;
      const t = this.t;
      item.until = tok[1];
      item.left = h("span", { class: "rj-left" });
      item.editBtn = h("button", { type: "button", class: "rj-btn rj-act", text: t.edit, onclick: () => {
        item.text.hidden = true;
        item.actions.hidden = true;
        const form = this.form({ edit: item });
        item.text.after(form);
        form.querySelector("textarea").focus();
      } });
      const del = h("button", { type: "button", class: "rj-btn rj-act", text: t.del, onclick: () => {
        const no = h("button", { type: "button", class: "rj-btn", text: t.cancel, onclick: () => { ask.remove(); own.hidden = false; del.focus(); } });
        const yes = h("button", { type: "button", class: "rj-btn rj-danger", text: t.del, onclick: () => this.remove(item, ask) });
        const ask = h("div", { class: "rj-confirm", role: "group", "aria-label": t.confirmDel }, h("span", { text: t.confirmDel }), yes, no);
        own.hidden = true;
        item.actions.append(ask);
        yes.focus();
      } });
      const own = h("span", { class: "rj-own" }, item.editBtn, del, item.left);
      item.own = own;
      item.actions.append(own);
      this.editable = this.editable || new Set();
      this.editable.add(item);
      this.tick();
      if (!this.timer) this.timer = setInterval(() => this.tick(), 1000);
    }
    tick() {
      const now = Date.now();
      for (const item of this.editable) {
        const ms = item.until - now;
        if (ms <= 0 || this.items.get(item.c.id) !== item) {
          if (item.own) item.own.remove();
          this.editable.delete(item);
          continue;
        }
        const unit = ms >= 60000 ? "minute" : "second";
        const v = Math.ceil(ms / (unit === "minute" ? 60000 : 1000));
        const txt = this.f(this.t.left, { t: new Intl.NumberFormat(this.lang, { style: "unit", unit, unitDisplay: "long" }).format(v) });
        if (item.left.textContent !== txt) item.left.textContent = txt;
      }
      if (!this.editable.size) { clearInterval(this.timer); this.timer = null; }
    }
    async remove(item, ask) {
      const token = this.tokens[item.c.id];
      try {
        await api("DELETE", "/api/comments/" + item.c.id, undefined, token ? token[0] : "");
      } catch (e) {
        ask.replaceChildren(h("span", { class: "rj-error", text: this.problemText(e) }));
        this.announce(this.problemText(e));
        return;
      }
      delete this.tokens[item.c.id];
      store.set("edit", this.tokens);
      if (pub(item.c)) this.setCount(this.count - 1);
      const next = item.li.nextElementSibling;
      const prev = item.li.previousElementSibling;
      if (next && this.depthOf(next) > item.c.depth) {
        item.li.replaceChildren(h("p", { class: "rj-placeholder", text: this.t.deleted }));
        item.li.classList.add("rj-deleted");
        this.focus(item.li);
      } else {
        item.li.remove();
        this.items.delete(item.c.id);
        this.focus(prev || this.heading);
      }
      this.announce(this.t.removed);
    }

    // A preview built from text nodes only: paragraphs, quotes, list items, **bold**, *italic*, `code`
    // and [links](…). It approximates the server's Markdown; the posted comment is rendered by the server.
    md(src, out) {
      out.replaceChildren();
      if (!src.trim()) return out.append(h("p", { class: "rj-hint", text: this.t.empty }));
      for (const block of src.trim().split(/\n\s*\n/)) {
        const lines = block.split("\n");
        let el;
        if (lines.every((l) => /^\s*[-*+] /.test(l))) el = h("ul", null, ...lines.map((l) => this.inline(h("li"), l.replace(/^\s*[-*+] /, ""))));
        else if (lines.every((l) => /^>/.test(l))) el = this.inline(h("blockquote"), lines.map((l) => l.replace(/^> ?/, "")).join("\n"));
        else el = this.inline(h("p"), block);
        out.append(el);
      }
    }
    inline(el, text) {
      const re = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*|_[^_\s][^_]*_|\[[^\]]+\]\([^)\s]+\))/;
      for (const part of text.split(re)) {
        if (!part) continue;
        let m;
        if (part[0] === "`" && part.length > 2 && part.endsWith("`")) el.append(h("code", { text: part.slice(1, -1) }));
        else if (/^\*\*.+\*\*$/.test(part)) el.append(h("strong", { text: part.slice(2, -2) }));
        else if (/^([*_]).+\1$/.test(part)) el.append(h("em", { text: part.slice(1, -1) }));
        else if ((m = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(part)) && safeUrl(m[2]) && /^https?:/i.test(m[2])) el.append(h("a", { href: m[2], rel: "nofollow ugc noopener", text: m[1] }));
        else el.append(part);
      }
      return el;
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
