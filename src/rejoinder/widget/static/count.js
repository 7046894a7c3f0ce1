/* rejoinder count.js: fills every element marked data-rejoinder-count with "N Responses" for the article
 * named by its data-url (or href), from ONE request to /api/counts. See docs/embedding.md. */
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.src) return console.error("[rejoinder] load count.js with <script src=…>");
  const API = new URL(script.src).origin;
  // "{n} Responses" in every language, one form per CLDR plural category: the `responses` entry of each
  // locale file, written in by the server when it loads this file (web/widget.py). Intl.PluralRules picks.
  const WORDS = {};
  const run = () => {
    const els = Array.from(document.querySelectorAll("[data-rejoinder-count]"));
    const urlOf = (el) => {
      try { return new URL(el.dataset.url || el.getAttribute("href"), location.href).href.split("#")[0]; } catch { return null; }
    };
    const urls = Array.from(new Set(els.map(urlOf).filter(Boolean)));
    if (!urls.length) return;
    const q = urls.map((u) => "url=" + encodeURIComponent(u)).join("&");
    fetch(API + "/api/counts?" + q, { credentials: "omit" })
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error("HTTP " + r.status))))
      .then((data) => {
        for (const el of els) {
          const found = data.counts[urlOf(el)];
          const n = found ? found.comments : 0;
          const raw = (el.dataset.lang || el.closest("[lang]")?.lang || document.documentElement.lang || "en").toLowerCase();
          const lang = WORDS[raw.split(/[-_]/)[0]] ? raw.split(/[-_]/)[0] : "en";
          const forms = WORDS[lang] || { other: "{n}" };
          const custom = el.getAttribute("data-rejoinder-count");
          const num = new Intl.NumberFormat(lang).format(n);
          el.textContent = (custom && custom.includes("{n}") ? custom : forms[new Intl.PluralRules(lang).select(n)] || forms.other)
            .replace("{n}", num);
          el.setAttribute("data-rejoinder-comments", String(n));
        }
      })
      .catch((e) => console.warn("[rejoinder] counts unavailable:", e.message));
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", run);
  else run();
})();
