import type { PluginRouter } from 'plinth/plugin';
import type { SkillDoc } from '../services/skills.js';
import { skillParams, skillsIndexReply } from './schemas.js';
import { AgentsErrors } from '../services/errors.js';
import type { AgentsErrorCode } from '../api.js';

const SCHEMA = 'https://schemas.agentskills.io/discovery/0.2.0/schema.json';

/**
 * Agent Skills discovery (v0.2.0 index): the index names each face's SKILL.md with the sha256 of the
 * exact bytes served at its URL. Public, as /openapi.json is: they describe the API, not a tenant.
 */
export function skillRoutes(r: PluginRouter<AgentsErrorCode>, skills: () => SkillDoc[], publicUrl: string): void {
  const url = (name: string) => `${publicUrl}/.well-known/agent-skills/${name}/SKILL.md`;
  r.get(
    '/.well-known/agent-skills/index.json',
    {
      summary: 'Agent Skills discovery index: one SKILL.md per face, with its sha256 digest',
      schema: { responses: { 200: { description: 'The index', schema: skillsIndexReply } } },
    },
    (ctx) => {
      ctx.set('Cache-Control', 'public, max-age=300');
      return {
        $schema: SCHEMA,
        skills: skills().map((s) => ({ name: s.name, type: 'skill-md', description: s.description, url: url(s.name), digest: s.digest })),
      };
    },
  );
  r.get(
    '/.well-known/agent-skills/:name/SKILL.md',
    {
      errors: { 404: ['skill_not_found'] },
      summary: "A face's Agent Skill (SKILL.md: front matter, then what the face does, auth, endpoints, tools, an example)",
      schema: { params: skillParams, responses: { 200: { description: 'The SKILL.md', contentType: 'text/markdown' } } },
    },
    (ctx, { params }) => {
      const skill = skills().find((s) => s.name === params.name);
      if (!skill) throw AgentsErrors.skillNotFound(params.name);
      ctx.set('Cache-Control', 'public, max-age=300');
      ctx.type = 'text/markdown; charset=utf-8';
      ctx.body = skill.markdown;
    },
  );
}
