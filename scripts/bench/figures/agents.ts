// agents-tool-call: what an agent pays for going through MCP. The same work — verifying a bound
// device's license — as an MCP `tools/call` of license_verify (protocol 2026-07-28, stateless, API
// key as Bearer) and as the REST call it stands for (POST /license/api/verify), on the same server in
// the same run, alternating. The MCP request is the one the official client sends (captured from it
// once, then replayed by the load generator). The REST call is this figure's "ceiling": the ratio is
// the share of the REST throughput an agent keeps, and the CPU columns give the overhead per call
// (key lookup, plan and scope checks, two rate-limit buckets, argument validation, the JSON-RPC
// envelope — answered without the SDK's pipeline for this plain form, services/direct-tool-call.ts —
// and the durable audit row). Rate limits are raised for the run (one key, one IP, one code);
// billing is off, so calls are not metered.
import fs from 'node:fs';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { alternate, type LoadRequest, measureHttp, warmupHttp } from '../lib/autocannon.js';
import type { FigureModule } from '../lib/context.js';
import { startPlinth, type PlinthServer } from '../lib/plinth.js';
import { makeTempDir, removeTempDir } from '../lib/process.js';
import { againstCeiling, standalone, type Figure } from '../lib/results.js';

const ADMIN = { email: 'bench@plinth.test', password: 'bench-password-123' };
const LIMIT = 1_000_000_000;
const REST = 'POST /license/api/verify';

async function json(server: PlinthServer, method: string, urlPath: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${urlPath}`, { method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${urlPath}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, any>>;
}

/** The official client's `tools/call` request, exactly as it goes over the wire (headers and body). */
async function capturedCall(server: PlinthServer, key: string, args: Record<string, unknown>): Promise<LoadRequest> {
  let call: LoadRequest | null = null;
  const recording = async (input: string | URL | Request, init?: RequestInit) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    if (body.includes('"tools/call"')) {
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
      call = { path: '/mcp', method: 'POST', headers, body };
    }
    return fetch(input, init);
  };
  const client = new Client({ name: 'plinth-bench', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`), {
      fetch: recording as never,
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    }),
  );
  const result = await client.callTool({ name: 'license_verify', arguments: args });
  await client.close();
  if ((result.structuredContent as { isValid?: boolean } | undefined)?.isValid !== true) throw new Error(`license_verify over MCP: ${JSON.stringify(result)}`);
  if (!call) throw new Error('the client sent no tools/call');
  return call;
}

export const agents: FigureModule = {
  name: 'agents',
  async run(ctx) {
    const dir = makeTempDir('agents-config');
    const configFile = path.join(dir, 'bench.json');
    const settings = {
      licensing: { verifyPerIpPerMinute: LIMIT, verifyPerCodePerMinute: LIMIT },
      agents: { callsPerKeyPerMinute: LIMIT, callsPerToolPerMinute: LIMIT },
    };
    fs.writeFileSync(configFile, JSON.stringify({ settings }));
    const plinth = await startPlinth({
      logLevel: 'warn',
      env: { PLINTH_PLUGINS: 'auth,licensing,agents', PLINTH_CONFIG: configFile, PLINTH_ADMIN_EMAIL: ADMIN.email, PLINTH_ADMIN_PASSWORD: ADMIN.password },
    });
    try {
      const login = await json(plinth, 'POST', '/api/v2/auth/login', ADMIN);
      const key = await json(
        plinth,
        'POST',
        '/api/v2/api-keys',
        { name: 'bench-agents', scopes: ['licenses:manage'] },
        { authorization: `Bearer ${login.access_token}` },
      );
      const generated = await json(
        plinth,
        'POST',
        '/license/api/admin/generate',
        { plan: 'yearly', email: 'customer@bench.test' },
        { 'x-api-key': key.raw_key },
      );
      const verify = {
        activation_code: generated.license.activation_code,
        email: 'customer@bench.test',
        device_id: 'bench-device-1',
        device_name: 'Bench laptop',
      };
      if ((await json(plinth, 'POST', '/license/api/verify', verify)).isValid !== true) throw new Error('the first verify did not bind the device');

      const rest: LoadRequest = { path: '/license/api/verify', method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(verify) };
      const mcp = await capturedCall(plinth, key.raw_key, verify);
      const s = ctx.settings;
      await warmupHttp(plinth, rest, s);
      await warmupHttp(plinth, mcp, s);
      const r = await alternate(
        s,
        () => measureHttp(plinth, rest, s),
        () => measureHttp(plinth, mcp, s),
        ctx.log,
        [REST, 'MCP tools/call license_verify'],
      );
      const note =
        'the same bound-device verify both ways, same server, alternating runs; MCP: protocol 2026-07-28, Bearer API key, the official ' +
        'client\'s request (answered on the direct path: plinth_mcp_requests_total{served_by="direct"}), an audit row per call; ' +
        'rate limits raised, billing off (unmetered); access logs off';
      const perCall = r.subject.map((m, i) => (m.cpuUs ?? 0) - (r.ceiling[i]?.cpuUs ?? 0));
      const figures: Figure[] = [
        againstCeiling('agents-tool-call', 'req/s', r.subject, REST, r.ceiling, { note }),
        standalone('agents-call-overhead', 'µs', perCall, { note: 'server CPU per call: MCP tools/call minus the REST call, per pair of runs' }),
      ];
      return figures;
    } finally {
      await plinth.stop();
      removeTempDir(dir);
    }
  },
};
