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

/** Like fill(), but the values may be elements: a list of strings and nodes (still only text nodes). */
export function fillParts<V extends string | Node>(template: string, values: Record<string, V>): (string | V)[] {
  return template
    .split(/\{(\w+)\}/)
    .map((part, index) => (index % 2 ? (part in values ? (values[part] as V) : `{${part}}`) : part));
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 31536e3],
  ["month", 2592e3],
  ["week", 604800],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

/** Formats numbers, plurals and times in one language. */
export class Formats {
  readonly plural: Intl.PluralRules;
  readonly number: Intl.NumberFormat;
  readonly relative: Intl.RelativeTimeFormat;
  readonly absolute: Intl.DateTimeFormat;

  constructor(readonly language: string) {
    this.plural = new Intl.PluralRules(language);
    this.number = new Intl.NumberFormat(language);
    this.relative = new Intl.RelativeTimeFormat(language, { numeric: "auto" });
    this.absolute = new Intl.DateTimeFormat(language, { dateStyle: "long", timeStyle: "short" });
  }

  /** The plural form of `entry` for `count`, with {n} filled in. */
  count(entry: Plural, count: number): string {
    return fill(entry[this.plural.select(count)] || entry.other, { n: this.number.format(count) });
  }

  /** "3 days ago", "in 2 minutes", "now". */
  ago(time: number): string {
    const seconds = (time - Date.now()) / 1000;
    for (const [unit, size] of UNITS) {
      if (Math.abs(seconds) >= size) return this.relative.format(Math.round(seconds / size), unit);
    }
    return this.relative.format(0, "second");
  }
}
