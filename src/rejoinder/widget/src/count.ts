/** count.js: fills every element marked data-rejoinder-count with "N Responses" for the article named
 * by its data-url (or href), from ONE request to /api/counts. See docs/embedding.md. */

// "{n} Responses" in every language, one form per CLDR plural category: the `responses` entry of each
// locale file (rejoinder.i18n.LANGUAGES), written in by scripts/build-widget. Intl.PluralRules picks.
declare const COUNT_WORDS: Record<string, Plural>;
const WORDS = COUNT_WORDS;

type Plural = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

function urlOf(element: HTMLElement): string | null {
  try {
    return new URL(element.dataset.url || (element.getAttribute("href") as string), location.href).href.split(
      "#",
    )[0] as string;
  } catch {
    return null;
  }
}

function fillCounts(origin: string): void {
  const elements = Array.from(document.querySelectorAll<HTMLElement>("[data-rejoinder-count]"));
  const urls = Array.from(new Set(elements.map(urlOf).filter(Boolean)));
  if (!urls.length) return;
  const query = urls.map((url) => `url=${encodeURIComponent(url as string)}`).join("&");
  fetch(`${origin}/api/counts?${query}`, { credentials: "omit" })
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))))
    .then((data: { counts: Record<string, { comments: number }> }) => {
      for (const element of elements) {
        const found = data.counts[urlOf(element) as string];
        const count = found ? found.comments : 0;
        const raw = (
          element.dataset.lang ||
          element.closest<HTMLElement>("[lang]")?.lang ||
          document.documentElement.lang ||
          "en"
        ).toLowerCase();
        const wanted = raw.split(/[-_]/)[0] as string;
        const lang = WORDS[wanted] ? wanted : "en";
        const words = WORDS[lang] as Plural;
        const custom = element.getAttribute("data-rejoinder-count");
        const number = new Intl.NumberFormat(lang).format(count);
        const template = custom?.includes("{n}")
          ? custom
          : words[new Intl.PluralRules(lang).select(count)] || words.other;
        element.textContent = template.replace("{n}", number);
        element.setAttribute("data-rejoinder-comments", String(count));
      }
    })
    .catch((error: Error) => console.warn("[rejoinder] counts unavailable:", error.message));
}

const script = document.currentScript as HTMLScriptElement | null;
if (!script?.src) console.error("[rejoinder] load count.js with <script src=…>");
else {
  const origin = new URL(script.src).origin;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => fillCounts(origin));
  else fillCounts(origin);
}
