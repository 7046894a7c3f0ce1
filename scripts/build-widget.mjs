// Builds the widget from src/rejoinder/widget/src into src/rejoinder/static/widget (or the directory
// given as the first argument): embed.css (the forms' rules too), the lazily loaded parts as ES modules
// named by their content hash (embed-<part>.<hash>.js), embed.js (a classic script that knows those names) and
// count.js. The parts share the first paint's helpers instead of bundling their own copies (SHARED below),
// and the widget's own members are renamed to short names across all of them (MANGLED below). The output depends only on the sources and the pinned esbuild: building twice gives the
// same bytes, and tests/web/test_widget_build.py fails when the committed files are stale.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src/rejoinder/widget/src");
const out = resolve(process.argv[2] || join(root, "src/rejoinder/static/widget"));
const PARTS = ["write", "signin", "actions"]; // write first: the actions part imports it (FROM_WRITE)

// The languages are rejoinder.i18n.LANGUAGES (one place to add a language: docs/embedding.md#languages),
// and count.js's "N Responses" is the `responses` entry of each one's locale file.
const registry = readFileSync(join(root, "src/rejoinder/i18n.py"), "utf8").match(
  /^LANGUAGES: tuple\[str, \.\.\.\] = \(([^)]*)\)/m,
);
if (!registry) throw new Error("build-widget: LANGUAGES not found in src/rejoinder/i18n.py");
const languages = [...registry[1].matchAll(/"([a-z]{2,3})"/g)].map((m) => m[1]);
const words = Object.fromEntries(
  languages.map((lang) => {
    const file = join(root, "src/rejoinder/static/locales", `${lang}.json`);
    return [lang, JSON.parse(readFileSync(file, "utf8")).responses];
  }),
);

/** The modules whose exports the parts read from embed.js's one internal object (main.ts SHARED, set on
 * window.rejoinder before any part loads) instead of bundling them: the names each part may import. A part
 * importing anything else from these modules fails the build ("No matching export"). */
const SHARED = {
  "dom.ts": ["h", "focusOn", "safeUrl"],
  "i18n.ts": ["fill"],
  "api.ts": ["isProblem"],
  "comment.ts": ["isPublic", "reportFormButton"],
  "thread.ts": ["drawPeople"],
};
const sharedPlugin = {
  name: "shared",
  setup(build) {
    build.onResolve({ filter: /^\.\/(dom|i18n|api|comment|thread)$/ }, (args) => ({
      path: `${args.path.slice(2)}.ts`,
      namespace: "shared",
    }));
    build.onLoad({ filter: /.*/, namespace: "shared" }, (args) => ({
      // Pure, so that a part that does not use a name does not read it either.
      contents: SHARED[args.path]
        .map((name) => `export const ${name} = /* @__PURE__ */ (() => window.rejoinder.shared.${name})();`)
        .join("\n"),
      loader: "js",
    }));
  },
};

/** The write part's helpers that another part imports from the write part itself instead of bundling a
 * copy: an ES module import of its hashed URL, which is the module the widget loaded right after the first
 * paint (the browser evaluates a module once per URL). write.ts re-exports these names; a part importing
 * anything else from these modules fails the build ("No matching export"). */
const FROM_WRITE = ["field", "errorOf", "placeComment", "depthOf"]; // of fields.ts and place.ts
const fromWritePlugin = {
  name: "from-write",
  setup(build) {
    // One module for both, so that a part imports the write part in one statement.
    build.onResolve({ filter: /^\.\/(fields|place)$/ }, () => ({ path: "write", namespace: "from-write" }));
    build.onLoad({ filter: /.*/, namespace: "from-write" }, () => {
      if (!chunks.write) throw new Error("build-widget: the write part is built after a part that imports it");
      return { contents: `export { ${FROM_WRITE.join(", ")} } from ".${chunks.write}";`, loader: "js" };
    });
    build.onResolve({ filter: /^\.\/embed-write\./ }, (args) => ({ path: args.path, external: true }));
  },
};

/** Members of the widget's own objects (Widget, Item, Formats, Client, FormParts, OpenForm, the shared
 * object, the parts' default objects) that no JSON field, locale key, data- option, DOM property or part's
 * export shares a name with: the minifier shortens them, the same way in every file (one mangle cache for
 * the whole build). A name added here must stay internal; the build fails when a part exports one. */
const MANGLED = [
  ...["query", "pageLimit", "formats", "settings", "siteName", "items", "social", "info", "likedThread"],
  ...["viewer", "editTokens", "shown", "generation", "lastPage", "formTokenAtStart", "pendingAvatars"],
  ...["idCount", "section", "heading", "earlierButton", "moreButton", "likeButton", "likeText"],
  ...["composeSlot", "waiting", "popupPoll", "editable", "editTimer", "mine", "settled", "client"],
  ...["stylesheet", "fragment", "readStorage", "nextId", "withStrings", "announce"],
  ...["problemText", "loadErrors", "setToken", "setMe", "formToken", "fetchPage", "targetId", "applyTheme"],
  ...["listen", "boot", "showPage", "setCount", "highlight", "drawThreadInfo", "providersOf", "loadViewer"],
  ...["loadSocial", "replyButton", "reportButton", "editButton", "ownControls", "timeLeft", "editUntil"],
  ...["likeCount", "plural", "relative", "absolute", "localize", "digits", "onSessionLost", "counts"],
  ...["storage", "api", "signin", "write", "actions", "render", "appealButton", "previewButton"],
  ...["item", "options", "bar", "list", "form", "people", "request", "general", "submit", "slot", "reset"],
  ...["fields", "build", "ago", "when"],
  // What the parts' default objects hold (not `attach`, `report`, `appeal`, `likeArticle`, `moreReplies`,
  // `manage`, `signedIn`: locale keys; nor `sso`, `logout`: window.rejoinder's).
  ...["buildForm", "openReply", "markHeld", "addOwnControls", "markViewer", "readViewer", "likeComment"],
  ...["refreshLikes", "follow", "changeSort", "locate", "morePages", "drawAuth", "onMessage"],
  ...["afterBoot", "sessionLost", "decorate", "redraw"],
  ...["shared", "focusOn", "safeUrl", "isProblem", "isPublic", "reportFormButton", "drawPeople"],
];
// data- attributes are read as properties of `dataset`: renaming one would read another attribute.
for (const file of readdirSync(source)) {
  for (const [, name] of readFileSync(join(source, file), "utf8").matchAll(/dataset\.(\w+)/g)) {
    if (MANGLED.includes(name)) throw new Error(`build-widget: ${file} reads dataset.${name}, which MANGLED renames`);
  }
}
/** Their short names, chosen here rather than by esbuild: each build only knows the properties it sees, so
 * a name it picked in one part could be a property used in another (a member renamed `me` beside the
 * widget's `me`). None is a property name, object key or quoted word anywhere in the widget's sources or
 * locales; the most used members get the shortest. */
function shortNames() {
  const taken = new Set();
  const uses = Object.fromEntries(MANGLED.map((name) => [name, 0]));
  const texts = readdirSync(source).map((file) => readFileSync(join(source, file), "utf8"));
  texts.push(readFileSync(join(root, "src/rejoinder/static/locales/en.json"), "utf8"));
  const property = /\.([A-Za-z_$][\w$]*)|([A-Za-z_$][\w$]*)\??\s*:|["'`]([A-Za-z_$][\w$]*)["'`]/g;
  for (const text of texts) {
    for (const match of text.matchAll(property)) {
      const name = match[1] || match[2] || match[3];
      taken.add(name);
      if (name in uses) uses[name] += 1;
    }
  }
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const names = [];
  const make = (prefix, left) => {
    if (!left) {
      if (!taken.has(prefix) && names.length < MANGLED.length) names.push(prefix);
      return;
    }
    for (const letter of letters) make(prefix + letter, left - 1);
  };
  for (let size = 1; names.length < MANGLED.length; size++) make("", size);
  const byUse = [...MANGLED].sort((a, b) => uses[b] - uses[a] || a.localeCompare(b));
  return Object.fromEntries(byUse.map((name, index) => [name, names[index]]));
}
const mangle = { mangleProps: new RegExp(`^(${MANGLED.join("|")})$`), mangleCache: shortNames() };

const common = {
  bundle: true,
  minify: true,
  write: false,
  target: ["es2020"],
  charset: "utf8",
  legalComments: "none",
  logLevel: "warning",
  absWorkingDir: root,
  define: { LANGUAGE_CODES: JSON.stringify(languages) },
};

/** The server's digest of a file (rejoinder.web.static.make_asset): 12 hex digits of its SHA-256. */
const digest = (bytes) => createHash("sha256").update(bytes).digest("hex").slice(0, 12);

async function bundle(entry, options) {
  const input = entry.includes("\n") ? { stdin: { contents: entry, resolveDir: source, loader: "js" } } : null;
  const result = await build({ ...common, ...(input || { entryPoints: [join(source, entry)] }), ...options });
  if (result.mangleCache) mangle.mangleCache = result.mangleCache;
  for (const output of Object.values(result.metafile?.outputs || {})) {
    const clash = output.exports.filter((name) => MANGLED.includes(name));
    if (clash.length) throw new Error(`build-widget: ${entry} exports ${clash}, which MANGLED renames`);
  }
  return result.outputFiles[0].contents;
}

const files = {};
const css = await bundle("embed.css", { loader: { ".css": "css" } });
files["embed.css"] = css;
const chunks = {};
// The parts first (embed.js names them by their digests); each one's names join the mangle cache, and
// embed.js is built last with all of them.
for (const part of PARTS) {
  const plugins = part === "write" ? [sharedPlugin] : [sharedPlugin, fromWritePlugin];
  // A part exports its default object only (what chunks.ts reads), not every export of its module (the
  // English of its strings, exported for tests/web/test_widget.py); the write part also FROM_WRITE. A name
  // its module does not export fails the build (the entry is JavaScript: no elided type re-exports).
  const names = ["default", ...(part === "write" ? FROM_WRITE : [])].join(", ");
  const entry = `export { ${names} } from "./${part}";\n`;
  const code = await bundle(entry, { format: "esm", metafile: true, plugins, ...mangle });
  const name = `embed-${part}.${digest(code)}.js`;
  files[name] = code;
  chunks[part] = `/${name}`;
}
files["embed.js"] = await bundle("main.ts", {
  format: "iife",
  ...mangle,
  define: {
    ...common.define,
    CHUNKS: JSON.stringify(chunks),
    STYLESHEET: JSON.stringify(`/embed.${digest(css)}.css`),
  },
});
files["count.js"] = await bundle("count.ts", {
  format: "iife",
  define: { ...common.define, COUNT_WORDS: JSON.stringify(words) },
});

mkdirSync(out, { recursive: true });
for (const old of readdirSync(out)) if (!(old in files)) rmSync(join(out, old));
for (const [name, bytes] of Object.entries(files)) writeFileSync(join(out, name), bytes);
console.log(`built ${Object.keys(files).length} files in ${out}`);
