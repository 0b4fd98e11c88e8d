import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { assertPublicUrl, publicLookup } from './public-url.js';
import { injectTrace } from '../observability/trace-context.js';

export interface GuardedFetchOptions {
  /**
   * Let requests reach loopback/private addresses: for targets the operator configured (a local
   * Ollama in the config file) and tests. Redirects are still never followed.
   */
  allowPrivate: boolean;
  /**
   * What a 3xx answer is: `error` (the default) rejects, for clients such as SDKs that would use
   * whatever body comes back; `return` hands the response over unfollowed, for callers that log
   * the status themselves.
   */
  redirects?: 'error' | 'return';
}

/** Statuses whose response has no body (the Response constructor refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

const decoders: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * A `fetch` (the WHATWG signature, for SDKs that take one, like the OpenAI SDK's `fetch` option)
 * over node:http(s) with the outbound guard of the workflows' `http.request` step: the URL is
 * checked (`assertPublicUrl`) and the connection's DNS lookup refuses internal addresses
 * (`publicLookup`, against DNS rebinding), unless `allowPrivate`. Redirects are never followed:
 * a public host answering 302 to 127.0.0.1 must not become a way in.
 */
export function guardedFetch(options: GuardedFetchOptions): typeof fetch {
  const redirects = options.redirects ?? 'error';
  return async (input, init) => {
    const request = new Request(input, init);
    const url = await assertPublicUrl(request.url, { allowPrivate: options.allowPrivate, field: 'url' });
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : null;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body) headers['content-length'] = String(body.length);
    // Webhooks, callbacks and provider calls continue the trace of the work that makes them (W3C traceparent).
    injectTrace(headers);
    const res = await send(url, { method: request.method, headers, lookup: options.allowPrivate ? undefined : publicLookup, signal: request.signal }, body);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && redirects === 'error') {
      res.destroy();
      throw new Error(`${url.host} answered ${status} (a redirect${res.headers.location ? ' elsewhere' : ''}); redirects are not followed`);
    }
    return toResponse(res);
  };
}

function send(url: URL, options: http.RequestOptions, body: Buffer | null): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, options, resolve);
    req.on('error', reject);
    req.end(body ?? undefined);
  });
}

/** The node response as a WHATWG Response, its body decoded (fetch decodes gzip, deflate and br too). */
function toResponse(res: http.IncomingMessage): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
  if (NULL_BODY.has(status)) {
    res.resume();
    return new Response(null, { status, statusText: res.statusMessage, headers });
  }
  const decode =
    decoders[
      String(res.headers['content-encoding'] ?? '')
        .trim()
        .toLowerCase()
    ];
  let stream: Readable = res;
  if (decode) {
    stream = res.pipe(decode()) as unknown as Readable;
    res.on('error', (err) => stream.destroy(err));
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  return new Response(Readable.toWeb(stream) as ReadableStream, { status, statusText: res.statusMessage, headers });
}
