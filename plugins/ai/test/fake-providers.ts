// Local fakes that speak the providers' protocols over real HTTP: the OpenAI chat-completions API
// (for the official SDK) and Dify's chat-messages API. Each records what it received and answers
// as the test scripts it: a reply, an HTTP error, or silence (a hang, for timeouts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

export type Behaviour =
  | { reply: string; tokensIn?: number; tokensOut?: number; conversationId?: string }
  | { status: number; message?: string }
  | { hang: true };

export class FakeProvider {
  readonly received: Received[] = [];
  /** What to do for each next request; the last one repeats. */
  script: Behaviour[] = [{ reply: 'fake reply' }];
  private server!: http.Server;
  private readonly hanging = new Set<http.ServerResponse>();

  constructor(readonly protocol: 'openai' | 'dify') {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => (raw += chunk));
      req.on('end', () => this.answer(req, res, raw));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, raw: string): unknown {
    let body: any = raw;
    try {
      body = JSON.parse(raw);
    } catch {
      /* keep the text */
    }
    this.received.push({ path: req.url ?? '', headers: req.headers, body });
    const step = this.script.length > 1 ? this.script.shift()! : this.script[0];
    const expected = this.protocol === 'openai' ? '/v1/chat/completions' : '/v1/chat-messages';
    if (req.method !== 'POST' || req.url !== expected) return this.send(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    if ('hang' in step) {
      this.hanging.add(res);
      return;
    }
    if ('status' in step)
      return this.send(
        res,
        step.status,
        this.protocol === 'openai'
          ? { error: { message: step.message ?? 'scripted failure', type: 'server_error' } }
          : { code: 'scripted', message: step.message ?? 'scripted failure', status: step.status },
      );
    const usage = { prompt_tokens: step.tokensIn ?? 11, completion_tokens: step.tokensOut ?? 7, total_tokens: (step.tokensIn ?? 11) + (step.tokensOut ?? 7) };
    if (this.protocol === 'openai') {
      return this.send(res, 200, {
        id: 'chatcmpl-fake',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: step.reply }, finish_reason: 'stop' }],
        usage,
      });
    }
    return this.send(res, 200, {
      event: 'message',
      message_id: 'm-fake',
      conversation_id: step.conversationId ?? 'conv-fake-1',
      mode: 'chat',
      answer: step.reply,
      metadata: { usage },
      created_at: Math.floor(Date.now() / 1000),
    });
  }

  private send(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
