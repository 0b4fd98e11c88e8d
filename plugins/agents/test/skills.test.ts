// Agent Skills: one SKILL.md per face, served with a discovery index whose digests match the bytes
// served; each checked by the MCP SDK's own Agent Skills rules (name, description, metadata), and none
// can drift from the API reference or the MCP tools (every route and every tool is in a skill).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { skillEntry } from '@modelcontextprotocol/server/ext/skills';
import { registerOwner } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

const PLUGINS = ['auth', 'billing', 'licensing', 'mail', 'robots', 'ai', 'workflows', 'agents'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('agents: Agent Skills at /.well-known/agent-skills', () => {
  let t: TestApp;
  let index: { $schema: string; skills: Array<{ name: string; type: string; description: string; url: string; digest: string }> };
  const served = new Map<string, string>();

  before(async () => {
    t = await createTestApp({ plugins: PLUGINS, settings: { mail: { domains: [{ name: 'mail.test' }] } } });
    const res = await t.request('GET', '/.well-known/agent-skills/index.json');
    assert.equal(res.status, 200, res.text);
    index = res.body;
    for (const s of index.skills) {
      const got = await fetch(`${t.url}${new URL(s.url).pathname}`);
      assert.equal(got.status, 200, s.url);
      assert.match(got.headers.get('content-type') ?? '', /^text\/markdown/);
      served.set(s.name, Buffer.from(await got.arrayBuffer()).toString('utf8'));
    }
  });
  after(async () => t?.close());

  it('the index (discovery 0.2.0): one skill-md per face, each digest the sha256 of the bytes served at its URL', async () => {
    assert.equal(index.$schema, 'https://schemas.agentskills.io/discovery/0.2.0/schema.json');
    assert.deepEqual(index.skills.map((s) => s.name).sort(), PLUGINS.map((p) => `plinth-${p}`).sort());
    for (const s of index.skills) {
      assert.equal(s.type, 'skill-md');
      assert.equal(s.url, `http://plinth.test/.well-known/agent-skills/${s.name}/SKILL.md`);
      const bytes = Buffer.from(served.get(s.name)!, 'utf8');
      assert.equal(s.digest, `sha256:${createHash('sha256').update(bytes).digest('hex')}`, s.name);
    }
    const head = await fetch(`${t.url}/.well-known/agent-skills/plinth-licensing/SKILL.md`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal((await t.request('GET', '/.well-known/agent-skills/plinth-nothing/SKILL.md')).status, 404);
    assert.equal((await t.request('GET', '/.well-known/agent-skills/..%2Fetc/SKILL.md')).status, 422);
  });

  it('each SKILL.md passes the Agent Skills rules (the MCP SDK’s skillEntry): name = directory, description ≤ 1024, metadata strings', async () => {
    for (const s of index.skills) {
      const text = served.get(s.name)!;
      const entry = await skillEntry(s.name, { 'SKILL.md': text });
      const fm = entry.frontmatter as { name: string; description: string; compatibility: string; metadata: Record<string, string> };
      assert.equal(fm.name, s.name);
      assert.equal(fm.description, s.description, 'the index repeats the front matter');
      assert.ok(fm.description.length <= 1024 && fm.description.length > 40, s.name);
      assert.match(fm.metadata['required-env'], /\bPLINTH_API_KEY\b/);
      assert.match(fm.metadata['required-env'], /\bPLINTH_BASE_URL\b/);
      assert.match(fm.metadata['base-url'], /^http:\/\/plinth\.test/);
      for (const section of ['## Authentication', '## Endpoints', '```']) assert.ok(text.includes(section), `${s.name} has ${section}`);
    }
    const licensing = served.get('plinth-licensing')!;
    assert.match(licensing, /base-url: "http:\/\/plinth\.test\/license"/);
    assert.match(licensing, /`licenses:manage`: Generate, list and revoke licenses/);
    assert.match(licensing, /\| POST \| `\/license\/api\/verify` \| Verify an activation code/);
    assert.match(licensing, /`license_verify` \(scope `licenses:manage`/);
    assert.match(served.get('plinth-agents')!, /"Authorization": "Bearer \$\{PLINTH_API_KEY\}"/);
  });

  it('no drift: every operation of /openapi.json is in its face’s skill, every tag has a skill, every tool is in the agents skill and its face’s', async () => {
    const doc = (await t.request('GET', '/openapi.json')).body;
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, { tags: string[] }>>)) {
      for (const [method, op] of Object.entries(item).filter(([m]) => METHODS.includes(m))) {
        const [plugin] = op.tags;
        if (plugin === 'core') continue;
        const text = served.get(`plinth-${plugin}`);
        assert.ok(text, `a skill for the ${plugin} face`);
        assert.ok(text.includes(`| ${method.toUpperCase()} | \`${path}\` |`), `${method.toUpperCase()} ${path} in plinth-${plugin}`);
      }
    }
    for (const tag of doc.tags as Array<{ name: string; description?: string }>) {
      if (tag.name === 'core') continue;
      assert.ok(served.has(`plinth-${tag.name}`), tag.name);
      assert.ok(tag.description && served.get(`plinth-${tag.name}`)!.includes(tag.description), `the ${tag.name} skill opens with its face’s description`);
    }

    // Every tool a key with every scope can reach (listed, or through the search) is documented.
    const owner = await registerOwner(t, 'skills');
    const scopes = (await t.request('GET', '/api/v2/api-keys/scopes', { headers: owner.headers })).body;
    const names = (Array.isArray(scopes) ? scopes : (scopes.scopes ?? scopes.items)).map((s: { scope?: string; name?: string }) => s.scope ?? s.name);
    const made = await t.request('POST', '/api/v2/api-keys', {
      headers: owner.headers,
      body: { name: 'all', scopes: names.filter((s: string) => s !== 'platform:admin') },
    });
    assert.equal(made.status, 201, made.text);
    const client = new Client({ name: 'skills-drift', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { 'X-API-Key': made.body.raw_key } } }));
    const listed = (await client.listTools()).tools.map((x) => x.name);
    const searched = ((await client.callTool({ name: 'tools_search', arguments: { limit: 50 } })).structuredContent as { tools: Array<{ name: string }> })
      .tools;
    await client.close();
    const all = new Set([...listed, ...searched.map((x) => x.name)]);
    assert.ok(all.size >= 13, [...all].join());
    for (const name of all) assert.ok(served.get('plinth-agents')!.includes(`- \`${name}\` (`), `${name} in plinth-agents`);
    for (const [face, tool] of [
      ['licensing', 'license_verify'],
      ['workflows', 'workflow_run'],
      ['mail', 'mail_wait_for_code'],
      ['robots', 'robots_send_message'],
      ['billing', 'usage_read'],
    ]) {
      assert.ok(served.get(`plinth-${face}`)!.includes(`- \`${tool}\` (`), `${tool} in plinth-${face}`);
    }
  });
});
