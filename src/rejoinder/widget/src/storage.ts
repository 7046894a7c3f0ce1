/** What the widget keeps in the browser (docs/embedding.md, "What the widget keeps"): localStorage
 * under `rejoinder.<key>`, JSON-encoded; in memory when storage is off. */

const memory: Record<string, unknown> = {};

export function load<T>(key: string): T | null {
  try {
    return JSON.parse(localStorage.getItem(`rejoinder.${key}`) as string) as T | null;
  } catch {
    return (memory[key] ?? null) as T | null;
  }
}

export function save(key: string, value: unknown): void {
  memory[key] = value;
  try {
    if (value == null) localStorage.removeItem(`rejoinder.${key}`);
    else localStorage.setItem(`rejoinder.${key}`, JSON.stringify(value));
  } catch {
    // storage is off: the memory copy serves this page
  }
}

/** This browser's random visitor id (the Rejoinder-Visitor header), made once. */
export function visitorId(): string {
  let id = load<string>("visitor");
  if (typeof id !== "string" || !/^[\w-]{16,128}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(18));
    id = btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_");
    save("visitor", id);
  }
  return id;
}

export interface Storage {
  load: typeof load;
  save: typeof save;
}
