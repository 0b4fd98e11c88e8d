import Mustache from 'mustache';
import { LRUCache } from 'lru-cache';
import type { FieldError } from 'plinth/plugin';

/** What step templates see. */
export interface TemplateView {
  trigger: unknown;
  steps: Record<string, unknown>;
  workflow: { id: string; name: string; version: number };
  run: { id: number | null; trigger_type: string; created_at: string };
  secrets: Record<string, string>;
}

const own = (value: unknown, key: string): boolean => value !== null && typeof value === 'object' && Object.hasOwn(value, key);

/**
 * Mustache's own lookup walks prototypes and calls any function it finds, so `{{constructor.constructor}}`
 * would reach `Function`. This context sees only own properties of the (JSON) data and never calls
 * anything: a name that is not plain data renders as nothing.
 */
class DataContext extends Mustache.Context {
  override push(view: unknown): Mustache.Context {
    return new DataContext(view, this);
  }

  override lookup(name: string): unknown {
    for (let context: Mustache.Context | undefined = this; context; context = (context as { parent?: Mustache.Context }).parent) {
      const view = (context as { view: unknown }).view;
      if (name === '.') return typeof view === 'function' ? undefined : view;
      const names = name.split('.');
      if (!own(view, names[0]) && !(typeof view === 'string' && names[0] === 'length')) continue;
      let value: unknown = view;
      for (const key of names) {
        if (typeof value === 'string' && key === 'length') value = value.length;
        else if (own(value, key)) value = (value as Record<string, unknown>)[key];
        else return undefined;
      }
      return typeof value === 'function' ? undefined : value;
    }
    return undefined;
  }
}

/** Inputs are not HTML: no escaping; objects and arrays render as JSON, not "[object Object]". */
const asText = (value: unknown): string => (value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value));

const TAGS: Mustache.OpeningAndClosingTags = ['{{', '}}'];

/**
 * Renders every string leaf of a step's input as a mustache template (logic-less: names,
 * sections, inverted sections; no partials, no code). A leaf that is exactly one tag takes the
 * value with its type (a number stays a number, an object stays an object; missing is '').
 */
export class TemplateRenderer {
  private readonly writer = new Mustache.Writer();

  constructor(cacheSize = 5000) {
    // Mustache's own template cache never forgets; templates come from tenants' workflows, so bound it.
    const parsed = new LRUCache<string, object>({ max: cacheSize });
    const writer = this.writer as unknown as {
      templateCache: { get(k: string): unknown; set(k: string, v: object): void; clear(): void };
      unescapedValue(token: string[], context: Mustache.Context): string | undefined;
    };
    writer.templateCache = { get: (k) => parsed.get(k), set: (k, v) => void parsed.set(k, v), clear: () => parsed.clear() };
    writer.unescapedValue = (token, context) => {
      const value = context.lookup(token[1]);
      return value == null ? undefined : asText(value);
    };
  }

  render(input: unknown, view: TemplateView): unknown {
    if (typeof input === 'string') return this.renderString(input, view);
    if (Array.isArray(input)) return input.map((item) => this.render(item, view));
    if (input !== null && typeof input === 'object') {
      return Object.fromEntries(Object.entries(input).map(([key, value]) => [key, this.render(value, view)]));
    }
    return input;
  }

  /** Template syntax errors in an input (an unclosed tag, a section never closed), by path. */
  problems(input: unknown, path: string): FieldError[] {
    if (typeof input === 'string') {
      if (!input.includes('{{')) return [];
      try {
        this.writer.parse(input, TAGS);
        return [];
      } catch (err) {
        return [{ path, message: `is not a valid template: ${(err as Error).message}` }];
      }
    }
    if (Array.isArray(input)) return input.flatMap((item, i) => this.problems(item, `${path}.${i}`));
    if (input !== null && typeof input === 'object') return Object.entries(input).flatMap(([k, v]) => this.problems(v, `${path}.${k}`));
    return [];
  }

  private renderString(template: string, view: TemplateView): unknown {
    if (!template.includes('{{')) return template;
    const tokens = this.writer.parse(template, TAGS);
    const only = tokens.length === 1 ? (tokens[0] as [string, string]) : null;
    if (only && (only[0] === 'name' || only[0] === '&')) {
      const value = new DataContext(view).lookup(only[1]);
      return value === undefined ? '' : value; // null stays null: a value of its own
    }
    return this.writer.render(template, new DataContext(view), undefined, { tags: TAGS, escape: asText });
  }
}

/** Replaces every secret value inside a rendered input, so stored step records never hold one. */
export function redact(value: unknown, secrets: string[]): unknown {
  const live = secrets.filter((s) => s.length >= 4);
  if (!live.length) return value;
  const scrub = (v: unknown): unknown => {
    if (typeof v === 'string') return live.reduce((text, secret) => text.split(secret).join('[secret]'), v);
    if (Array.isArray(v)) return v.map(scrub);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
    return v;
  };
  return scrub(value);
}
