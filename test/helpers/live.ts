// A reader of the admin pages' live channel (GET /admin/api/live, server-sent events) for tests: the
// events as they come (each `change` frame's kind and data), a wait for one, and whether the server
// ended the stream.
import assert from 'node:assert/strict';

export interface LiveEvent {
  kind: string;
  data: Record<string, unknown>;
}

export interface LiveStream {
  events: LiveEvent[];
  /** Resolves with the first event matching, waiting for it to come; rejects if the stream ends first. */
  next(match: (e: LiveEvent) => boolean): Promise<LiveEvent>;
  /** Resolves when the stream stops: true when the server ended it, false when the test closed it. */
  ended: Promise<boolean>;
  /** True once the server has ended it. */
  readonly isEnded: boolean;
  close(): void;
}

/** Opens `${baseUrl}/admin/api/live` with these headers (a bearer token or a session cookie) and reads it in the background. */
export async function openLive(baseUrl: string, headers: Record<string, string>): Promise<LiveStream> {
  const aborted = new AbortController();
  const res = await fetch(`${baseUrl}/admin/api/live`, { headers, signal: aborted.signal });
  assert.equal(res.status, 200, await (res.status === 200 ? Promise.resolve('') : res.text()));
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: LiveEvent[] = [];
  const waiters: Array<() => void> = [];
  let isEnded = false;
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  const ended = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          // Every event is one generic frame, `event: change` with `{ kind, data }` (core/live.ts).
          const name = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (name === 'change' && data) events.push(JSON.parse(data) as LiveEvent);
          wake();
          end = buffer.indexOf('\n\n');
        }
      }
      isEnded = true;
    } catch {
      /* closed by the test */
    }
    wake();
  })();
  return {
    events,
    async next(match) {
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (isEnded) throw new Error(`the live stream ended; heard only ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    ended: ended.then(() => isEnded),
    get isEnded() {
      return isEnded;
    },
    close: () => aborted.abort(),
  };
}
