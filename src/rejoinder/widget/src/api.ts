/** Requests to rejoinder's API: JSON in and out, problems (RFC 9457) thrown as Problem. */

import { visitorId } from "./storage";

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export interface ProblemBody {
  code?: string;
  detail?: string;
  errors?: FieldError[];
  warning?: { id: string; message: string }; // commenter-warned: the warning to acknowledge
}

/** A refused request. `p` is the problem body (docs/embedding.md promises `error.p.code`). */
export class Problem extends Error {
  constructor(
    readonly p: ProblemBody,
    readonly status: number,
  ) {
    super(p.detail || `HTTP ${status}`);
  }
}

/** Problem, recognised by shape: the lazily loaded parts have no Problem class of their own to compare. */
export function isProblem(error: unknown): error is Problem {
  return error instanceof Error && "p" in error && "status" in error;
}

/** `reader`: true (or an edit token) for requests about this reader: they carry the visitor id and the
 * session (and the edit token). */
export type Reader = boolean | string | undefined;

export class Client {
  /** The reader's bearer session, or null for a guest. */
  token: string | null = null;
  /** Called when the server says the current session is no longer valid. */
  onSessionLost: () => void = () => {};

  constructor(readonly origin: string) {}

  async request<T>(method: string, path: string, body?: unknown, reader?: Reader): Promise<T> {
    const headers: Record<string, string> = {};
    // Read from storage per request about the reader, not at start: the thread is requested before anything
    // touches localStorage (its first use in a page costs a few ms, 4× that on a slow phone).
    if (reader) headers["Rejoinder-Visitor"] = visitorId();
    const sent = reader != null && this.token;
    if (sent) headers.Authorization = `Bearer ${sent}`;
    if (typeof reader === "string") headers["Rejoinder-Edit-Token"] = reader;
    if (body) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      // no-cache: always revalidate (a cheap 304 by ETag). The thread's Cache-Control allows shared caches
      // a few stale seconds, which a browser would otherwise also apply right after the reader's own write.
      response = await fetch(this.origin + path, {
        method,
        headers,
        credentials: "omit",
        cache: "no-cache",
        body: body ? JSON.stringify(body) : undefined,
      });
    } catch {
      throw new Problem({ code: "network", detail: "" }, 0);
    }
    if (response.status === 204) return null as T;
    const data = await response.json().catch(() => ({}));
    // Only the current session can end this way (not one logged out while this request was on its way).
    if (response.status === 401 && sent && sent === this.token && /^session-/.test(data.code)) this.onSessionLost();
    if (!response.ok) throw new Problem(data, response.status);
    return data as T;
  }
}
