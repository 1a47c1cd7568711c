/**
 * Calls to the textkit API from the browser: the stored API key goes with every call, and
 * every failure becomes an ApiError carrying the server's message and hint (never a stack).
 */

const KEY_STORAGE = "textkit.apiKey";

/** A failed API call, as the server described it in `{ error: { code, message, hint, field } }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly hint: string;
  readonly field: string | null;

  constructor(status: number, code: string, message: string, hint: string, field: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.hint = hint;
    this.field = field;
  }
}

type Query = Record<string, string | number | null | undefined>;

interface ErrorPayload {
  error?: { code?: unknown; message?: unknown; hint?: unknown; field?: unknown };
}

function text(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

async function errorOf(res: Response): Promise<ApiError> {
  let payload: ErrorPayload | null = null;
  try {
    payload = (await res.json()) as ErrorPayload;
  } catch {
    payload = null;
  }
  const e = payload?.error;
  return new ApiError(
    res.status,
    text(e?.code) ?? `HTTP_${res.status}`,
    text(e?.message) ?? `the server answered ${res.status} ${res.statusText}`.trim(),
    text(e?.hint) ?? "",
    text(e?.field),
  );
}

/**
 * The API as the dashboard uses it; the key lives in sessionStorage, so it is gone when the
 * tab closes.
 *
 * @example
 * const api = new ApiClient(sessionStorage);
 * const { models } = await api.get<ModelList>("/v1/models");
 */
export class ApiClient {
  private readonly storage: Storage;

  constructor(storage: Storage) {
    this.storage = storage;
  }

  /** The stored API key, or null. */
  get key(): string | null {
    return this.storage.getItem(KEY_STORAGE);
  }

  /** Stores a key (trimmed), or forgets it with null or an empty string. */
  setKey(key: string | null): void {
    const trimmed = key?.trim() ?? "";
    if (trimmed === "") this.storage.removeItem(KEY_STORAGE);
    else this.storage.setItem(KEY_STORAGE, trimmed);
  }

  /** GET a JSON resource; null and undefined query values are left out. */
  get<T>(path: string, query: Query = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== null && value !== undefined) params.set(name, String(value));
    }
    const search = params.toString();
    return this.request<T>("GET", search === "" ? path : `${path}?${search}`);
  }

  /** GET a resource as text (a CSV or JSON file to download as it is). */
  async text(path: string, query: Query = {}): Promise<string> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== null && value !== undefined) params.set(name, String(value));
    }
    const search = params.toString();
    const res = await this.send("GET", search === "" ? path : `${path}?${search}`, "*/*");
    return res.text();
  }

  /** POST a JSON body. */
  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, body);
  }

  private async request<T>(method: string, url: string, body?: unknown): Promise<T> {
    const res = await this.send(method, url, "application/json", body);
    return (await res.json()) as T;
  }

  private async send(method: string, url: string, accept: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept };
    const key = this.key;
    if (key !== null) headers["authorization"] = `Bearer ${key}`;
    let init: RequestInit = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init = { ...init, body: JSON.stringify(body) };
    }
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch {
      throw new ApiError(
        0,
        "NETWORK",
        "cannot reach the textkit server",
        "Check that `textkit serve` is still running and reachable from this browser.",
      );
    }
    if (!res.ok) throw await errorOf(res);
    return res;
  }
}
