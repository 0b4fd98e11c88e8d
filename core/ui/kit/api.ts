/** A failed request: the HTTP status, the server's error code and its human message. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

/** Fired on window when any request comes back 401, so the shell can show the login screen. */
export const UNAUTHORIZED_EVENT = 'plinth:unauthorized';

/**
 * Pulls code + message out of whichever face envelope answered: core `{ error: { code, message } }`,
 * detail `{ detail, code }` (detail may be a validation list), `{ code, message }` or `{ error: "…" }`.
 */
function describe(status: number, body: any, fallback: string): { code: string; message: string } {
  if (body && typeof body === 'object') {
    if (body.error && typeof body.error === 'object') return { code: String(body.error.code ?? status), message: String(body.error.message ?? fallback) };
    if (typeof body.detail === 'string') return { code: String(body.code ?? status), message: body.detail };
    if (Array.isArray(body.detail)) {
      const message = body.detail.map((d: any) => [Array.isArray(d.loc) ? d.loc.join('.') : '', d.msg].filter(Boolean).join(': ')).join('; ');
      return { code: String(body.code ?? status), message: message || fallback };
    }
    if (typeof body.message === 'string' && body.message) return { code: String(body.code ?? status), message: body.message };
    if (typeof body.error === 'string') return { code: String(body.code ?? status), message: body.error };
  }
  return { code: String(status), message: fallback };
}

/** JSON over fetch with the session cookie (same origin); throws ApiError with the server's message. */
export async function api<T = unknown>(path: string, options: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const { method = options.body === undefined ? 'GET' : 'POST', body, signal } = options;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      // The admin UI speaks English: the seed faces, which default to their documents' Chinese, answer it in English.
      headers: { accept: 'application/json', 'accept-language': 'en', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', 'cannot reach the server');
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    if (res.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
    const { code, message } = describe(res.status, parsed, `${res.status} ${res.statusText || 'request failed'}`);
    throw new ApiError(res.status, code, message, parsed);
  }
  return parsed as T;
}
