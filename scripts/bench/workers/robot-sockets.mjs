// Bench worker: a fleet of WorkBot phones. Opens one real WebSocket per robot
// (`<BENCH_WS_URL>?robotId=&token=`, the `ws` package, as the app does), and for every `command`
// frame records when it arrived and acknowledges it the way the app does
// (POST <BENCH_API_URL>/api/robot/command-result with the robot's token), so no queue grows.
//
// Its own process, so 1,000 sockets and the acknowledgements do not starve the bench process that
// sends and times the commands. Receipt times are process.hrtime (CLOCK_MONOTONIC, system-wide on
// Linux), so the bench process can subtract its own send times from them.
//
// stdout, one line each:
//   READY <sockets>                    all sockets open
//   RECV <commandId> <hrtime-ns>       a command frame arrived
//   ACK <commandId> <http-status>      its command-result answered
//   FAIL <what>                        setup failed (then exit 1)
//   CLOSED <robotId> <code>            a socket closed that the bench did not close
// env: BENCH_ROBOTS_FILE (JSON [{ robotId, token }]), BENCH_WS_URL, BENCH_API_URL, BENCH_CONNECT_CONCURRENCY (25).
import fs from 'node:fs';
import http from 'node:http';
import { WebSocket } from 'ws';

const robots = JSON.parse(fs.readFileSync(process.env.BENCH_ROBOTS_FILE, 'utf8'));
const wsUrl = process.env.BENCH_WS_URL;
const api = new URL(process.env.BENCH_API_URL);
const concurrency = Number(process.env.BENCH_CONNECT_CONCURRENCY ?? 25);
/** Profiling only: do not acknowledge (the queue then grows; the figure always acknowledges). */
const noAck = process.env.BENCH_NO_ACK === '1';
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
const sockets = [];
let stopping = false;

const out = (line) => process.stdout.write(`${line}\n`);

function fail(what) {
  out(`FAIL ${what.replace(/\s+/g, ' ')}`);
  process.exit(1);
}

function ack(robot, commandId) {
  const body = JSON.stringify({
    robotId: robot.robotId,
    commandId,
    errorCode: 0,
    errorReason: '',
    executionTimeMs: 1,
    successList: ['Zhang San'],
    failList: [],
  });
  const req = http.request(
    {
      host: api.hostname,
      port: api.port,
      path: `${api.pathname}/api/robot/command-result`,
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${robot.token}` },
    },
    (res) => {
      res.resume();
      res.on('end', () => out(`ACK ${commandId} ${res.statusCode}`));
    },
  );
  req.on('error', (err) => out(`ACK ${commandId} ${err.code ?? 'error'}`));
  req.end(body);
}

function open(robot) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}?robotId=${encodeURIComponent(robot.robotId)}&token=${encodeURIComponent(robot.token)}`, { perMessageDeflate: false });
    const timer = setTimeout(() => reject(new Error(`${robot.robotId}: no handshake within 15 s`)), 15000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(ws);
    });
    ws.once('unexpected-response', (_req, res) => {
      clearTimeout(timer);
      reject(new Error(`${robot.robotId}: handshake refused with HTTP ${res.statusCode}`));
    });
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${robot.robotId}: ${err.message}`));
    });
    ws.on('message', (raw) => {
      const at = process.hrtime.bigint();
      let frame;
      try {
        frame = JSON.parse(String(raw));
      } catch {
        return;
      }
      if (frame.type !== 'command') return;
      out(`RECV ${frame.data.commandId} ${at}`);
      if (noAck) out(`ACK ${frame.data.commandId} 200`);
      else ack(robot, frame.data.commandId);
    });
    ws.on('close', (code) => {
      if (!stopping) out(`CLOSED ${robot.robotId} ${code}`);
    });
  });
}

let next = 0;
try {
  await Promise.all(
    Array.from({ length: Math.min(concurrency, robots.length) }, async () => {
      while (next < robots.length) {
        const robot = robots[next++];
        sockets.push(await open(robot));
      }
    }),
  );
} catch (err) {
  fail(`opening ${robots.length} sockets (${sockets.length} open): ${err.message}`);
}
out(`READY ${sockets.length}`);

process.on('SIGTERM', () => {
  stopping = true;
  for (const ws of sockets) ws.terminate();
  agent.destroy();
  process.exit(0);
});
