/** One comment section on the page: its state, and the start-up that asks for everything at once. */

import { type Client, isProblem, type Problem } from "./api";
import { type ActionsPart, loadPart, type SigninPart, type WritePart } from "./chunks";
import { renderComment } from "./comment";
import { afterPaint, h, idle } from "./dom";
import { Formats, pickLanguage, RIGHT_TO_LEFT } from "./i18n";
import { load, type Storage, save } from "./storage";
import { CORE_STRINGS, type CoreStrings } from "./strings";
import { buildFrame, drawThreadInfo, goto, highlight, type PageHow, SORTS, setCount, showPage } from "./thread";
import type {
  CommentData,
  Item,
  Me,
  OpenForm,
  Provider,
  SiteSettings,
  ThreadInfo,
  ThreadPage,
  ViewerState,
} from "./types";

export type Options = Record<string, string | undefined>;
type EditTokens = Record<string, [string, number]>;

/** Where a sign-in in redirect mode came back: `#rejoinder-session=…` and the like (docs/sign-in.md). */
export type Fragment = [kind: string, value: string];

/** The name of this page's site as the last thread in this tab gave it (sessionStorage
 * `rejoinder.site`), or, with `name`, remembers it. */
function lastSite(name?: string): string | null {
  try {
    if (name != null) sessionStorage.setItem("rejoinder.site", name);
    return sessionStorage.getItem("rejoinder.site");
  } catch {
    return null;
  }
}

export class Widget {
  readonly storage: Storage = { load, save };
  readonly url: string;
  /** key and url of the thread, as a query string. */
  readonly query: string;
  readonly title: string | undefined;
  readonly language: string;
  readonly pageLimit: string;
  sort: string;
  t: CoreStrings = CORE_STRINGS;
  formats!: Formats;
  settings!: SiteSettings;
  maxDepth!: number;
  providers: Provider[] = [];
  siteName: string | undefined;
  me?: Me | null;
  readonly items = new Map<string, Item>();
  liked = new Set<string>();
  /** Reaction counts by comment id (GET /api/threads `reactions`), and the reactions part once loaded. */
  counts: Record<string, Record<string, number>> = {};
  social?: Pick<ActionsPart, "attach" | "decorate" | "redraw">;
  info?: ThreadInfo;
  likedThread: boolean | undefined;
  viewer?: ViewerState | null;
  /** The guest's edit tokens (storage `edit`), read in the start's second task (readStorage). */
  editTokens: EditTokens = {};
  /** The thread is on screen (the reader's own state may be merged in). */
  shown?: boolean;
  /** Bumped by every full repaint, so that a slow render of an older page stops. */
  generation = 0;
  firstPage!: number;
  lastPage!: number;
  pages!: number;
  count!: number;
  open?: OpenForm | null;
  /** The form token fetched at start, for the first form. */
  formTokenAtStart?: Promise<string | null> | null;
  /** Avatars waiting until the comments around them are painted. */
  pendingAvatars?: [HTMLImageElement, string][] | null;
  private started?: boolean;
  private idCount = 0;

  // The frame (thread.ts builds it).
  live!: HTMLDivElement;
  section!: HTMLElement;
  heading!: HTMLHeadingElement;
  list!: HTMLOListElement;
  earlierButton!: HTMLButtonElement;
  moreButton!: HTMLButtonElement;
  likeButton!: HTMLButtonElement;
  likeText!: HTMLSpanElement;
  likers!: HTMLUListElement;
  auth!: HTMLDivElement;
  /** Where the "Leave a Reply" form goes once the write part is here (labelled by the heading above). */
  composeSlot?: HTMLElement | null;
  note!: HTMLDivElement;
  /** Set while a sign-in popup is open: "Connecting…" is cleared when it closes unanswered. */
  waiting?: boolean;
  popupPoll: ReturnType<typeof setInterval> | undefined;
  // Own comments (own.ts keeps them).
  editable: Set<Item> | undefined;
  editTimer?: ReturnType<typeof setInterval> | null;
  /** How many of the reader's own requests (post, edit, delete) are in flight: live updates (live.ts) hold their
   * changes until they are answered (own.ts `mine`), then `settled` applies them. */
  mine = 0;
  settled?: () => void;

  constructor(
    readonly root: HTMLElement,
    readonly options: Options,
    readonly client: Client,
    private readonly stylesheet: Promise<unknown>,
    public fragment: Fragment | null,
  ) {
    this.url =
      options.url ||
      document.querySelector<HTMLLinkElement>('link[rel="canonical"]')?.href ||
      (location.href.split("#")[0] as string);
    const query = new URLSearchParams();
    if (options.key) query.set("key", options.key);
    query.set("url", this.url);
    this.query = query.toString();
    this.title = options.title || document.title || undefined;
    this.sort = (SORTS as readonly string[]).includes(options.sort as string) ? (options.sort as string) : SORTS[0];
    const size = Number.parseInt(options.pageSize as string, 10);
    this.pageLimit = size > 0 ? `&limit=${Math.min(1000, size)}` : "";
    this.language = pickLanguage(options.lang);
  }

  /** What the widget keeps in localStorage (the session, the edit tokens), read in the start's second task,
   * once the thread is asked for: storage's first use costs a few ms (4× that on a slow phone), which neither
   * the request nor the task evaluating embed.js need wait for. */
  private readStorage(): void {
    this.client.token = load<string>("session");
    this.editTokens = load<EditTokens>("edit") || {};
    // Kept 30 days past the edit window: a guest appeals a held or refused comment with its token.
    for (const id in this.editTokens) {
      if ((this.editTokens[id] as [string, number])[1] < Date.now() - 2592e6) delete this.editTokens[id];
    }
    save("edit", this.editTokens);
  }

  get origin(): string {
    return this.client.origin;
  }

  api<T>(method: string, path: string, body?: unknown, reader?: boolean | string): Promise<T> {
    return this.client.request<T>(method, path, body, reader);
  }

  nextId(): string {
    this.idCount += 1;
    return `rj-${this.idCount}`;
  }

  signin(): Promise<SigninPart> {
    return loadPart(this.origin, "signin");
  }

  write(): Promise<WritePart> {
    return loadPart(this.origin, "write");
  }

  actions(): Promise<ActionsPart> {
    return loadPart(this.origin, "actions");
  }

  /** The strings of a lazily loaded part: its English under the loaded translation. */
  withStrings<T extends object>(english: T): CoreStrings & T {
    return Object.assign({}, english, this.t);
  }

  announce(message: string): void {
    this.live.textContent = "";
    setTimeout(() => {
      this.live.textContent = message;
    }, 60);
  }

  problemText(error: Problem): string {
    return error.p.code === "network"
      ? this.t.offline
      : this.t.errors[error.p.code as string] || error.p.detail || error.message;
  }

  /** The error texts in the reader's language (/locales/<lang>.errors.json; in English the server's own
   * `detail` is shown): nothing needs them before something fails, so they come after the first paint,
   * beside the write part. `always`: in English too (the sign-in part, for a code without a sentence). */
  loadErrors(always?: boolean): Promise<unknown> {
    const errors = this.t.errors;
    return this.language === "en" && !always
      ? Promise.resolve()
      : this.api<Partial<CoreStrings>>("GET", `/locales/${this.language}.errors.json`).then(
          (answer) => Object.assign(errors, answer.errors),
          () => {},
        );
  }

  /** The line under the form: "Connecting…", sign-in results; announced. */
  status(message: string): void {
    this.waiting = false;
    this.note.replaceChildren(message);
    if (message) this.announce(message);
  }

  setToken(token: string | null): void {
    this.client.token = token;
    save("session", token);
  }

  /** Shows who is signed in (or the sign-in buttons); the signin part draws it when there is anything. */
  async setMe(me: Me | null | undefined): Promise<void> {
    this.me = me && this.client.token ? me : null;
    this.root.classList.toggle("rj-signed", !!this.me); // hides the guest fields (embed.css)
    if (!this.me && !this.providers.length) {
      this.auth.replaceChildren();
      return;
    }
    (await this.signin()).drawAuth(this);
  }

  formToken(): Promise<string | null> {
    return this.api<{ token: string }>("GET", "/api/form-token").then(
      (answer) => answer.token,
      () => null,
    );
  }

  fetchPage(page: number): Promise<ThreadPage> {
    return this.api<ThreadPage>("GET", `/api/threads?${this.query}&sort=${this.sort}&page=${page}${this.pageLimit}`);
  }

  targetId(): string | null {
    const match = /^#comment-([\w-]{1,64})$/.exec(location.hash);
    return match ? (match[1] as string) : null;
  }

  applyTheme(): void {
    const theme = this.root.dataset.theme || this.options.theme;
    this.root.classList.toggle("rj-dark", theme === "dark");
    this.root.classList.toggle("rj-light", theme === "light");
  }

  /** Listeners that live as long as the page: theme, permalinks, a session that ended. */
  private listen(): void {
    this.applyTheme();
    new MutationObserver(() => this.applyTheme()).observe(this.root, { attributeFilter: ["data-theme"] });
    addEventListener("hashchange", () => {
      const id = this.targetId();
      if (id && this.shown) goto(this, id, true);
    });
    this.client.onSessionLost = () => {
      this.setToken(null);
      if (this.auth) this.signin().then((part) => part.sessionLost(this));
    };
    // The sign-in popup's messages and other tabs: with the write part (listen.ts).
  }

  /** Everything is requested at once: the thread (the page of a permalinked comment), the translation,
   * what is particular to this reader, the session's identity and the form token. The comments are
   * painted as soon as the thread (with the translation and stylesheet) is here; the rest joins later. */
  async boot(): Promise<void> {
    const root = this.root;
    // The thread first: it needs nothing the reader's storage holds.
    const target = this.targetId();
    const thread = target
      ? this.api<{ page: number }>(
          "GET",
          `/api/comments/${encodeURIComponent(target)}/page?sort=${this.sort}${this.pageLimit}`,
        )
          .then(
            (answer) => answer.page,
            () => 1,
          )
          .then((page) => this.fetchPage(page))
      : this.fetchPage(1);
    const locale =
      this.language === "en"
        ? null
        : this.api<Partial<CoreStrings>>("GET", `/locales/${this.language}.json`).catch((error: Error) => {
            console.warn(`[rejoinder] locale ${this.language} unavailable, using English`, error.message);
            return null;
          });
    root.classList.add("rj-root");
    if (RIGHT_TO_LEFT.includes(this.language)) root.dir = "rtl";
    root.setAttribute("aria-busy", "true");
    // The rest of the start in a task of its own, once the thread and the translation are asked for: on a
    // slow phone, one task from evaluating embed.js to the first await would be long.
    await new Promise((next) => setTimeout(next));
    if (!this.started) {
      this.started = true;
      this.readStorage();
      this.listen();
    }
    // A 401 forgets the token.
    const me = this.client.token ? this.api<Me>("GET", "/api/me", undefined, true).catch(() => null) : null;
    const knownSite = lastSite();
    let providers = knownSite ? this.providersOf(knownSite) : null;
    if (this.client.token || this.fragment || this.options.ssoToken) this.signin().catch(() => {});
    this.shown = false;
    // The write part, the reader's own state and the form token once the first comments are painted:
    // asked for sooner, they would compete with the thread for the server, and their answers (compiling
    // the write part, above all) would come between the thread's answer and the paint.
    let painted = () => {};
    const firstPaint = new Promise<void>((resolve) => {
      painted = resolve;
    });
    const write = firstPaint.then(() => this.write());
    write.then(
      (part) => part.listen(this),
      () => {},
    );
    firstPaint.then(() => this.loadViewer());
    this.formTokenAtStart = firstPaint.then(() => this.formToken());
    const errors = firstPaint.then(() => this.loadErrors());
    const translation = await locale;
    if (translation) {
      this.t = Object.assign({}, CORE_STRINGS, translation, { errors: {} });
    }
    this.formats = new Formats(this.language);
    this.live = h("div", { class: "rj-sr", role: "status", "aria-live": "polite" });
    const status = h("p", { class: "rj-status", text: this.t.loading });
    root.replaceChildren(this.live, status);
    let data: ThreadPage;
    try {
      data = await thread;
    } catch (error) {
      painted();
      if (!isProblem(error)) throw error;
      await this.loadErrors();
      root.removeAttribute("aria-busy");
      if (error.p.code === "origin-not-allowed") {
        console.error(`[rejoinder] ${error.p.detail || "this page's origin is not allowed"}`);
        status.textContent = this.t.notAllowed;
      } else {
        console.error("[rejoinder] loading the thread failed:", error.p.detail || error.p.code || error.status);
        status.textContent =
          error.p.code === "network" ? this.t.offline : `${this.t.loadFailed} ${this.problemText(error)}`;
        status.append(
          " ",
          h("button", { type: "button", class: "rj-btn", text: this.t.retry, onclick: () => this.boot() }),
        );
      }
      status.classList.add("rj-notice");
      return;
    }
    await this.stylesheet;
    // The site's settings (GET /api/threads `site`); data-max-depth still overrides the display depth.
    const settings = data.site || {};
    this.settings = settings;
    this.maxDepth = Math.max(
      0,
      Math.min(10, Number.parseInt(String(this.options.maxDepth || settings.display_depth || 3), 10) || 0),
    );
    root.classList.toggle("rj-members", settings.allow_guests === false); // embed.css: sign-in only
    root.classList.toggle("rj-signed", !!this.client.token); // no guest fields while the identity loads
    // The sign-in buttons are at the bottom, and the thread names the site: asked for at start with the
    // site this browser saw here before, else now.
    const site = data.site?.name;
    if (site !== knownSite) {
      lastSite(site || "");
      providers = site ? firstPaint.then(() => this.providersOf(site)) : null;
    }
    buildFrame(this, data);
    root.replaceChildren(this.live, this.section);
    const rendered = showPage(this, data, "replace");
    afterPaint(painted); // the first slice is in the page
    await rendered;
    this.shown = true;
    // The dates and large numbers in the reader's language, after the paint (busy until then).
    const localized = new Promise((done) => this.formats.build(idle, done as () => void));
    this.markViewer(); // when the reader's own state came first
    // The form under the thread comes with the write part, requested at start beside the thread.
    const slot = this.composeSlot;
    const part = await write.catch(() => null);
    await errors; // before the form that may show them
    if (slot && part) slot.replaceWith(part.buildForm(this, { labelledby: slot.dataset.labelledby as string }));
    this.composeSlot = null;
    await localized;
    root.removeAttribute("aria-busy");
    if (target) goto(this, target, false);
    // The part behind the buttons on screen (likes, paging, Report, Appeal), which also follows the thread
    // live, comes when the browser is idle after the first paint, so that a click does not wait for it.
    idle(() => {
      this.actions().then(
        (part) => part.follow(this),
        () => {},
      );
      if (settings.reactions?.length || this.client.token) this.loadSocial();
    });
    await this.setMe(await me);
    const offered = await providers;
    if (offered) {
      this.siteName = offered.site;
      this.providers = offered.providers;
      await this.setMe(this.me);
    }
    if (this.fragment || this.options.ssoToken) await (await this.signin()).afterBoot(this);
  }

  // For the lazily loaded parts, which reach the rest of the widget only through this object.
  render(comment: CommentData): HTMLLIElement {
    return renderComment(this, comment);
  }

  showPage(data: ThreadPage, how: PageHow): Promise<void> {
    return showPage(this, data, how);
  }

  /** The reader's own state on the thread on screen (viewer.ts), once both are there. */
  markViewer(): void {
    if (this.viewer && this.shown) this.write().then((part) => part.markViewer(this));
  }

  setCount(count: number): void {
    setCount(this, count);
  }

  highlight(item: Item): void {
    highlight(this, item);
  }

  drawThreadInfo(thread: ThreadInfo): void {
    drawThreadInfo(this, thread);
  }

  /** GET /api/viewer, asked for at once; the write part merges the answer in. */
  providersOf(site: string): Promise<{ site: string; providers: Provider[] } | null> {
    return this.api<{ site: string; providers: Provider[] }>(
      "GET",
      `/api/auth/providers?site=${encodeURIComponent(site)}`,
    ).catch(() => null);
  }

  loadViewer(): Promise<void> {
    const answer = this.api<ViewerState>("GET", `/api/viewer?${this.query}`, undefined, true);
    answer.catch(() => {});
    return this.write()
      .then((part) => part.readViewer(this, answer))
      .then(() => this.social?.attach(this));
  }

  /** Reactions and muting (social.ts, in the actions part): drawn on every comment once here. */
  loadSocial(): Promise<ActionsPart> {
    const part = this.actions();
    part.then(
      (social) => social.attach(this),
      () => {},
    );
    return part;
  }
}
