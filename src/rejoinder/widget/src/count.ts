/** count.js: fills every element marked data-rejoinder-count with "N Responses" for the article named
 * by its data-url (or href), from ONE request to /api/counts. See docs/embedding.md. */

// Plural forms of "Response" for the widget's languages; Intl.PluralRules picks the form.
const WORDS: Record<string, [string, string]> = {
  en: ["Response", "Responses"],
  de: ["Antwort", "Antworten"],
  fr: ["réponse", "réponses"],
  es: ["respuesta", "respuestas"],
  pt: ["resposta", "respostas"],
};

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
        const words = WORDS[lang] as [string, string];
        const one = new Intl.PluralRules(lang).select(count) === "one";
        const custom = element.getAttribute("data-rejoinder-count");
        const number = new Intl.NumberFormat(lang).format(count);
        element.textContent = custom?.includes("{n}")
          ? custom.replace("{n}", number)
          : `${number} ${words[one ? 0 : 1]}`;
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
