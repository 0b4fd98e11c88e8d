import type { Logger } from '../logger.js';
import { CoreErrors } from '../core-errors.js';

/** A filter receives a value and must return the (possibly changed) value, or throw to veto. */
export type FilterHandler<T = unknown> = (value: T, context: Record<string, unknown>) => T | Promise<T>;
/** A listener is told a fact; its failure is logged and never affects the others. */
export type Listener<T = unknown> = (payload: T) => void | Promise<void>;

interface Registered<F> {
  owner: string;
  fn: F;
}

/**
 * The in-process bus. Filters are awaited in registration (= plugin) order and their result
 * is checked, so a filter that forgets to return cannot silently cancel anything.
 * Durable facts go through `events` (the outbox), not through here.
 */
export class Hooks {
  private readonly filters = new Map<string, Registered<FilterHandler<any>>[]>();
  private readonly listeners = new Map<string, Registered<Listener<any>>[]>();

  constructor(private readonly logger: Logger) {}

  addFilter<T>(name: string, owner: string, fn: FilterHandler<T>): void {
    const list = this.filters.get(name) ?? [];
    list.push({ owner, fn });
    this.filters.set(name, list);
  }

  /** Whether any plugin filters `name`: lets an owner offer a field only when some plugin fills it. */
  hasFilters(name: string): boolean {
    return (this.filters.get(name)?.length ?? 0) > 0;
  }

  async applyFilters<T>(name: string, value: T, context: Record<string, unknown> = {}): Promise<T> {
    let current = value;
    for (const { owner, fn } of this.filters.get(name) ?? []) {
      const next = await fn(current, context);
      if (next === undefined) {
        throw CoreErrors.filterReturnedNothing(name, owner);
      }
      current = next;
    }
    return current;
  }

  on<T>(name: string, owner: string, fn: Listener<T>): void {
    const list = this.listeners.get(name) ?? [];
    list.push({ owner, fn });
    this.listeners.set(name, list);
  }

  /** Tells every listener of `name` (and of `*`), isolating their failures. */
  async notify<T>(name: string, payload: T): Promise<void> {
    const targets = [...(this.listeners.get(name) ?? []), ...(this.listeners.get('*') ?? [])];
    await Promise.all(
      targets.map(async ({ owner, fn }) => {
        try {
          await fn(payload);
        } catch (err) {
          this.logger.error({ err, hook: name, plugin: owner }, 'hook listener failed');
        }
      }),
    );
  }

  /** Removes everything a plugin registered (used when a plugin is stopped). */
  removeOwner(owner: string): void {
    for (const map of [this.filters, this.listeners] as Map<string, Registered<unknown>[]>[]) {
      for (const [name, list] of map)
        map.set(
          name,
          list.filter((r) => r.owner !== owner),
        );
    }
  }
}
