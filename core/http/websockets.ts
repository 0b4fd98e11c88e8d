import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger.js';
import type { Counter } from 'prom-client';

/** How often each connection is pinged (a peer that missed the last ping is dropped). */
const PING_INTERVAL_MS = 30_000;

export interface SocketRoute {
  /** Full path, e.g. `/workbot/ws`. */
  path: string;
  /** Checks the handshake (token in the query…); returns a context for `connected`, or throws to refuse (401). */
  accept(req: IncomingMessage, url: URL): Promise<unknown>;
  connected(socket: WebSocket, context: unknown): void;
  /** Largest frame accepted, bytes. */
  maxPayload?: number;
  /** Browsers must come from one of these origins (clients without an Origin header are not browsers). */
  allowedOrigins?: string[];
}

export interface WebSocketsDeps {
  logger: Logger;
  pingIntervalMs?: number;
  /** Upgrade requests by endpoint (the registered path, `unmatched` for any other) and outcome. */
  handshakes?: Counter<'endpoint' | 'outcome'> | null;
}

/**
 * WebSocket endpoints on the HTTP server. Plugins register a path; the core owns the upgrade:
 * unknown paths and refused handshakes get a plain HTTP error, frames are capped, and a socket
 * that misses two pings in a row is closed.
 */
export class WebSockets {
  private readonly routes = new Map<string, SocketRoute>();
  private readonly servers = new Map<string, WebSocketServer>();
  private timer: NodeJS.Timeout | null = null;
  private readonly alive = new WeakMap<WebSocket, boolean>();

  constructor(private readonly deps: WebSocketsDeps) {}

  /** Open connections by endpoint (the metrics read it when scraped). */
  connections(): Map<string, number> {
    const out = new Map<string, number>();
    for (const path of this.routes.keys()) out.set(path, this.servers.get(path)?.clients.size ?? 0);
    return out;
  }

  add(route: SocketRoute): void {
    if (this.routes.has(route.path)) throw new Error(`a WebSocket endpoint is already registered at ${route.path}`);
    this.routes.set(route.path, route);
  }

  attach(server: Server): void {
    if (!this.routes.size) return;
    const wss = this.servers;
    for (const route of this.routes.values()) {
      wss.set(route.path, new WebSocketServer({ noServer: true, maxPayload: route.maxPayload ?? 64 * 1024 }));
    }
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = this.routes.get(url.pathname);
      const refuse = (status: number, reason: string) => {
        socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      if (!route) {
        this.deps.handshakes?.inc({ endpoint: 'unmatched', outcome: 'not_found' });
        return refuse(404, 'Not Found');
      }
      const counted = (outcome: string) => this.deps.handshakes?.inc({ endpoint: route.path, outcome });
      const origin = req.headers.origin;
      if (origin && route.allowedOrigins && !route.allowedOrigins.includes(origin)) {
        counted('refused');
        return refuse(403, 'Forbidden');
      }
      route.accept(req, url).then(
        (context) =>
          wss.get(route.path)!.handleUpgrade(req, socket, head, (client) => {
            counted('accepted');
            this.alive.set(client, true);
            client.on('pong', () => this.alive.set(client, true));
            client.on('error', (err) => this.deps.logger.debug({ err }, 'WebSocket error'));
            route.connected(client, context);
          }),
        () => {
          counted('refused');
          refuse(401, 'Unauthorized');
        },
      );
    });
    this.timer = setInterval(() => {
      for (const ws of this.servers.values()) {
        for (const client of ws.clients) {
          if (this.alive.get(client) === false) {
            client.terminate();
            continue;
          }
          this.alive.set(client, false);
          client.ping();
        }
      }
    }, this.deps.pingIntervalMs ?? PING_INTERVAL_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const ws of this.servers.values()) {
      for (const client of ws.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => ws.close(() => resolve()));
    }
  }
}
