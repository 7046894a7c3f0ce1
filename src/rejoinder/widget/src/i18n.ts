/** Words and numbers in the reader's language: the strings (English built in, others from
 * /locales/<lang>.json), plural forms, numbers and relative times through the browser's Intl. */

import type { Plural } from "./strings";

/** Languages the server has a locales/<lang>.json for: rejoinder.i18n.LANGUAGES, written in by
 * scripts/build-widget. */
declare const LANGUAGE_CODES: string[];
export const LANGUAGES = LANGUAGE_CODES;

/** Languages written right to left: the widget's root gets dir="rtl" (its CSS uses logical properties). */
export const RIGHT_TO_LEFT = ["ar", "fa", "he", "ur"];

/** The widget's language: data-lang, else <html lang>, else the browser's; a region falls back to its
 * language, and any language without a translation gets English. */
export function pickLanguage(wanted: string | undefined): string {
  const code = (wanted || document.documentElement.lang || navigator.language || "en")
    .toLowerCase()
    .split(/[-_]/)[0] as string;
  return LANGUAGES.includes(code) ? code : "en";
}

/** Fills {placeholders} in `template` with `values` (unknown ones stay as they are). */
export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? (values[name] as string) : whole));
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 31536e3],
  ["month", 2592e3],
  ["week", 604800],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

/** The date of `time` as YYYY-MM-DD (UTC): the stand-in until the formatters are built. */
function isoDate(time: number): string {
  return (new Date(time).toJSON() || "").slice(0, 10); // toJSON: null when invalid
}

/** Formats numbers, plurals and times in one language. Building the browser's first number or date
 * formatter loads its locale data (25–50 ms, 4× that on a slow phone), so the first paint goes without:
 * numbers as plain digits (what every language we have writes below 1,000) and times as their ISO date.
 * build() makes the formatters after the paint and applies again everything localize() painted. */
export class Formats {
  readonly plural: Intl.PluralRules;
  private number?: Intl.NumberFormat;
  private relative?: Intl.RelativeTimeFormat;
  private absolute?: Intl.DateTimeFormat;
  /** What localize() painted with the stand-ins, to apply again once the formatters are built; null then. */
  private waiting: (() => void)[] | null = [];

  constructor(readonly language: string) {
    this.plural = new Intl.PluralRules(language); // cheap: no number data
  }

  /** Runs `apply` now, and again once the formatters are built if they are not yet. */
  localize(apply: () => void): void {
    apply();
    this.waiting?.push(apply);
  }

  /** Builds the formatters one per task, then applies again what was painted without them, in order and
   * in slices of about 30 ms, so that no task is long; then calls `done`. `later` runs a task when the
   * browser is idle. */
  build(later: (task: () => void) => void, done: () => void): void {
    const steps = [
      () => (this.number = new Intl.NumberFormat(this.language)),
      () => (this.relative = new Intl.RelativeTimeFormat(this.language, { numeric: "auto" })),
      () => (this.absolute = new Intl.DateTimeFormat(this.language, { dateStyle: "long", timeStyle: "short" })),
    ];
    const waiting = this.waiting || [];
    const step = () => {
      const make = steps.shift();
      if (make) make();
      else {
        const until = performance.now() + 30;
        while (waiting.length && performance.now() < until) (waiting.shift() as () => void)();
        if (!waiting.length) {
          this.waiting = null;
          return done();
        }
      }
      later(step);
    };
    later(step);
  }

  /** `count` in this language's digits (plain digits until the number formatter is built). */
  digits(count: number): string {
    return this.number ? this.number.format(count) : String(count);
  }

  /** The plural form of `entry` for `count`, with {n} filled in. */
  count(entry: Plural, count: number): string {
    return fill(entry[this.plural.select(count)] || entry.other, { n: this.digits(count) });
  }

  /** "3 days ago", "in 2 minutes", "now" (the ISO date until the formatters are built). */
  ago(time: number): string {
    const relative = this.relative;
    if (!relative) return isoDate(time);
    const seconds = (time - Date.now()) / 1000;
    for (const [unit, size] of UNITS) {
      if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
    }
    return relative.format(0, "second");
  }

  /** The date and time in full (the ISO date until the formatters are built). */
  when(time: number): string {
    return this.absolute ? this.absolute.format(time) : isoDate(time);
  }
}
