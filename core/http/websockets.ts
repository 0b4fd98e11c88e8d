import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger.js';

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

/**
 * WebSocket endpoints on the HTTP server. Plugins register a path; the core owns the upgrade:
 * unknown paths and refused handshakes get a plain HTTP error, frames are capped, and a socket
 * that misses two pings in a row is closed.
 */
export class WebSockets {
  private readonly routes = new Map<string, SocketRoute>();
  private readonly servers: WebSocketServer[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly alive = new WeakMap<WebSocket, boolean>();

  constructor(
    private readonly logger: Logger,
    private readonly pingIntervalMs = 30_000,
  ) {}

  add(route: SocketRoute): void {
    if (this.routes.has(route.path)) throw new Error(`a WebSocket endpoint is already registered at ${route.path}`);
    this.routes.set(route.path, route);
  }

  attach(server: Server): void {
    if (!this.routes.size) return;
    const wss = new Map<string, WebSocketServer>();
    for (const route of this.routes.values()) {
      const ws = new WebSocketServer({ noServer: true, maxPayload: route.maxPayload ?? 64 * 1024 });
      wss.set(route.path, ws);
      this.servers.push(ws);
    }
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const route = this.routes.get(url.pathname);
      const refuse = (status: number, reason: string) => {
        socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      };
      if (!route) return refuse(404, 'Not Found');
      const origin = req.headers.origin;
      if (origin && route.allowedOrigins && !route.allowedOrigins.includes(origin)) return refuse(403, 'Forbidden');
      route.accept(req, url).then(
        (context) =>
          wss.get(route.path)!.handleUpgrade(req, socket, head, (client) => {
            this.alive.set(client, true);
            client.on('pong', () => this.alive.set(client, true));
            client.on('error', (err) => this.logger.debug({ err }, 'WebSocket error'));
            route.connected(client, context);
          }),
        () => refuse(401, 'Unauthorized'),
      );
    });
    this.timer = setInterval(() => {
      for (const ws of this.servers) {
        for (const client of ws.clients) {
          if (this.alive.get(client) === false) {
            client.terminate();
            continue;
          }
          this.alive.set(client, false);
          client.ping();
        }
      }
    }, this.pingIntervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (const ws of this.servers) {
      for (const client of ws.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((resolve) => ws.close(() => resolve()));
    }
  }
}
