import type { RouteSchemas } from './router.js';

interface RouteDoc {
  method: string;
  path: string;
  plugin: string;
  summary?: string;
  schema?: RouteSchemas;
  secured: boolean;
}

/** Collects every route as it is registered and renders an OpenAPI 3.1 document from their schemas. */
export class OpenApiRegistry {
  private readonly routes: RouteDoc[] = [];

  add(route: RouteDoc): void {
    this.routes.push(route);
  }

  document(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const r of this.routes) {
      const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const parameters = [
        ...[...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
          name: m[1],
          in: 'path',
          required: true,
          schema: (r.schema?.params?.properties as Record<string, unknown> | undefined)?.[m[1]] ?? { type: 'string' },
        })),
        ...Object.entries((r.schema?.query?.properties as Record<string, unknown> | undefined) ?? {}).map(([name, schema]) => ({
          name,
          in: 'query',
          required: ((r.schema?.query?.required as string[] | undefined) ?? []).includes(name),
          schema,
        })),
      ];
      const responses: Record<string, unknown> = {};
      for (const [status, res] of Object.entries(r.schema?.responses ?? { 200: { description: 'OK' } })) {
        responses[status] = { description: res.description, ...(res.schema ? { content: { 'application/json': { schema: res.schema } } } : {}) };
      }
      (paths[path] ??= {})[r.method] = {
        tags: [r.plugin],
        ...(r.summary ? { summary: r.summary } : {}),
        ...(parameters.length ? { parameters } : {}),
        ...(r.schema?.body ? { requestBody: { required: true, content: { 'application/json': { schema: r.schema.body } } } } : {}),
        ...(r.secured ? { security: [{ bearer: [] }, { apiKey: [] }] } : {}),
        responses,
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
      paths,
    };
  }
}
