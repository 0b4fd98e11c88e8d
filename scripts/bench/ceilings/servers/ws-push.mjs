// Ceiling: the bare transport under a command push. node:http + the `ws` package, no framework,
// no auth, no storage: WebSockets at /workbot/ws?robotId=…, and POST
// /workbot/api/robot/send-message {robotId, …} -> JSON.parse, push one `command` frame on that
// robot's socket, answer 200 with the commandId. POST /workbot/api/robot/command-result -> 200.
// The same client code drives it and Plinth, so the difference is what Plinth does per command.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const sockets = new Map();
let seq = 0;
const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });

const reply = (res, status, body) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.method !== 'POST') return reply(res, 404, { code: 404, message: 'not found', data: null });
    let body;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(res, 400, { code: 400, message: 'bad JSON', data: null });
    }
    if (req.url === '/workbot/api/robot/send-message') {
      const socket = sockets.get(body.robotId);
      if (!socket) return reply(res, 404, { code: 404, message: `robot ${body.robotId} is not connected`, data: null });
      const { robotId: _r, ...params } = body;
      const now = new Date();
      const command = {
        commandId: `cmd_${now.getTime()}_${(++seq).toString(16)}`,
        commandType: 'send_message',
        commandParams: params,
        createdAt: now.toISOString(),
      };
      socket.send(JSON.stringify({ type: 'command', data: command }));
      return reply(res, 200, { code: 0, message: 'command queued', data: { commandId: command.commandId, status: 'pending' } });
    }
    if (req.url === '/workbot/api/robot/command-result') return reply(res, 200, { code: 0, message: 'result recorded', data: null });
    return reply(res, 404, { code: 404, message: 'not found', data: null });
  });
});

server.on('upgrade', (req, socket, head) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const robotId = url.searchParams.get('robotId');
  if (url.pathname !== '/workbot/ws' || !robotId) return socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  wss.handleUpgrade(req, socket, head, (ws) => {
    sockets.set(robotId, ws);
    ws.on('close', () => sockets.get(robotId) === ws && sockets.delete(robotId));
  });
});

server.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.on('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
