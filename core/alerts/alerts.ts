import type { Knex } from 'knex';
import { iso, type Clock } from '../clock.js';
import { isUniqueViolation } from '../db/connection.js';
import type { EventBus } from '../events/outbox.js';
import type { Hooks } from '../hooks/hooks.js';
import type { Logger } from '../logger.js';
import type { CardMessage } from '../overview/card.js';
import { ALERT_CLEARED, ALERT_RAISED } from './events.js';

export type Severity = 'warning' | 'critical';

/** What a condition finds wrong now. */
export interface AlertReport {
  /** The condition's name, or `<condition>:<what>` (`jobs.failing:mail.prune-sent`): one open alert per key. */
  key: string;
  severity: Severity;
  /** One line for people: what is wrong, with the figure that made it an alert. */
  summary: string;
  /** The figures behind it (counts, thresholds, names), shown beside the summary and carried by the events. */
  details?: Record<string, unknown>;
  /**
   * The summary as a message of the raiser's catalogue (`<plugin>.alert.<what>`, the core's
   * `shell.alert.<what>`) with its values, for the admin UI to say in the viewer's language; the
   * summary is its English, shown when no catalogue has the id.
   */
  message?: CardMessage;
}

/** Checks one condition: everything it finds wrong now ([] when all is well). Throwing leaves its alerts as they are. */
export type AlertCheck = () => Promise<AlertReport[]>;

export interface ConditionOptions {
  /**
   * About the instance that evaluates rather than the deployment (its disk, the traffic it served,
   * the certificate it serves): its alerts name the host, and another instance, whose own may be
   * fine, does not clear them (their host does, or an hour without a report does).
   */
  perInstance?: boolean;
}

/** One raising of an alert, as the API, the System page, the mail and the events show it. */
export interface Alert {
  id: number;
  key: string;
  severity: Severity;
  summary: string;
  details: Record<string, unknown>;
  raised_at: string;
  /** Null while the alert is open. */
  cleared_at: string | null;
  /** When the mail of its raising went out (null: not yet, or nobody to tell). */
  notified_at: string | null;
  /** The host that reported it last, for a condition about one instance (its disk…); null otherwise. */
  host: string | null;
  /** The summary's message for the admin UI (AlertReport.message); null when it was raised without one. */
  message: CardMessage | null;
}

export interface EvaluateResult {
  raised: Alert[];
  cleared: Alert[];
  /** Conditions whose check threw (logged): their alerts were left as they were. */
  failed: string[];
}

/**
 * Hook names (core/hooks). Listeners of `raised`/`cleared` are told after the commit (the auth
 * plugin writes them to the audit log). The filters are the seams to whoever knows the operators:
 * `recipients` adds the addresses to mail (auth: the active superadmins), `tenant` names the tenant
 * the events are emitted for, so that tenant's workflows can forward them (auth: the operator tenant).
 */
export const ALERT_HOOKS = {
  raised: 'core.alert.raised',
  cleared: 'core.alert.cleared',
  recipients: 'core.alerts.recipients',
  tenant: 'core.alerts.tenant',
} as const;

interface AlertRow {
  id: number;
  key: string;
  condition: string | null;
  severity: Severity;
  summary: string;
  details: string;
  raised_at: string;
  cleared_at: string | null;
  notified_at: string | null;
  host: string | null;
  seen_at: string | null;
  message: string | null;
}

const COLUMNS = ['id', 'key', 'condition', 'severity', 'summary', 'details', 'raised_at', 'cleared_at', 'notified_at', 'host', 'seen_at', 'message'];

/** An open alert nobody has reported for this long is cleared: its plugin was disabled, or its instance is gone. */
const STALE_MS = 3_600_000;

const toAlert = (r: AlertRow): Alert => ({
  id: Number(r.id),
  key: r.key,
  severity: r.severity,
  summary: r.summary,
  details: JSON.parse(r.details) as Record<string, unknown>,
  raised_at: r.raised_at,
  cleared_at: r.cleared_at,
  notified_at: r.notified_at,
  host: r.host,
  message: r.message ? (JSON.parse(r.message) as CardMessage) : null,
});

/** What the events carry (the catalogue's schema, core/alerts/events.ts): the summary is their words. */
const payloadOf = ({ notified_at: _, message: __, ...alert }: Alert) => alert;

/** The message column of a report. */
const messageOf = (report: AlertReport): string | null => (report.message ? JSON.stringify(report.message) : null);

const NAME = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

/** What Alerts is built from, passed by name. */
export interface AlertsDeps {
  db: Knex;
  clock: Clock;
  logger: Logger;
  events: EventBus;
  hooks: Hooks;
  /** This instance's host name: what per-instance alerts carry. */
  host: string;
}

/**
 * The operator's alerts. Conditions are registered by name (the core's in core/alerts/conditions.ts,
 * plugins' from their register()); `evaluate()` (the `core.alerts` job, one instance at a time)
 * raises what they report and is not open yet, and clears what is open and no longer reported.
 * Each raising is one row of `core_alerts` and one `core.alert.raised` event written in the same
 * transaction; its clearing sets `cleared_at` and writes `core.alert.cleared` the same way. The
 * mails go from those events' handler (notify.ts), so they go out if and only if the row committed.
 * Conditions that are events rather than states use `raise()` and `clear()` instead.
 */
export class Alerts {
  private readonly conditions = new Map<string, { check: AlertCheck; perInstance: boolean }>();

  constructor(private readonly deps: AlertsDeps) {}

  /**
   * Registers a condition (registering a name again replaces it). It owns the keys `<name>` and
   * `<name>:<anything>`: evaluate() raises and clears those, and only those, from its reports.
   */
  addCondition(name: string, check: AlertCheck, options: ConditionOptions = {}): void {
    if (!NAME.test(name)) throw new Error(`alert condition "${name}": a name is dotted lower-case words (events.dead, ai.failover)`);
    this.conditions.set(name, { check, perInstance: options.perInstance ?? false });
  }

  /** Runs every condition once: raises what is newly wrong, clears what no longer is. */
  async evaluate(): Promise<EvaluateResult> {
    const result: EvaluateResult = { raised: [], cleared: [], failed: [] };
    const open = new Map((await this.openRows()).map((r) => [r.key, r]));
    const tenantId = await this.tenant();
    for (const [name, { check, perInstance }] of this.conditions) {
      let reports: AlertReport[];
      try {
        reports = this.owned(name, await check());
      } catch (err) {
        this.deps.logger.error({ err, condition: name }, 'alert condition failed; its alerts stay as they are');
        result.failed.push(name);
        continue;
      }
      const host = perInstance ? this.deps.host : null;
      for (const report of reports) {
        const current = open.get(report.key);
        if (current) await this.refresh(current, report, host);
        else this.push(result.raised, await this.insert(report, { condition: name, host }, tenantId));
      }
      const reported = new Set(reports.map((r) => r.key));
      for (const row of open.values()) {
        if (row.condition !== name || reported.has(row.key)) continue;
        // Another instance's own fact (its disk, its traffic): that instance clears it, or time does.
        if (perInstance && row.host !== this.deps.host && !this.stale(row)) continue;
        this.push(result.cleared, await this.close(row, tenantId));
      }
    }
    // A condition registered on no instance that evaluates any more (its plugin was disabled, or an
    // instance of another version has it): cleared once nobody has reported it for an hour.
    for (const row of open.values()) {
      if (row.condition && !this.conditions.has(row.condition) && this.stale(row)) this.push(result.cleared, await this.close(row, tenantId));
    }
    return result;
  }

  /**
   * Raises an alert that a condition does not report (a fact, not a state), unless one is open
   * under its key (then its summary and details are brought up to date). Whoever raises it clears it.
   */
  async raise(report: AlertReport): Promise<Alert | null> {
    const owner = this.ownerOf(report.key);
    if (owner) throw new Error(`alert "${report.key}" belongs to the condition "${owner}": evaluate() raises and clears it`);
    const open = await this.openRow(report.key);
    if (open) {
      await this.refresh(open, report, null);
      return null;
    }
    return this.insert(report, { condition: null, host: null }, await this.tenant());
  }

  /** Clears the open alert under `key`; null when none is open. */
  async clear(key: string): Promise<Alert | null> {
    const open = await this.openRow(key);
    return open ? this.close(open, await this.tenant()) : null;
  }

  /**
   * Alerts for people and pages. `open: true`: the open ones, critical first, then newest;
   * `open: false`: cleared ones, most recently cleared first; omitted: every raising, newest first.
   * `limit` defaults to 50 (at most 500).
   */
  async list(options: { open?: boolean; limit?: number } = {}): Promise<Alert[]> {
    const q = this.deps
      .db('core_alerts')
      .select(COLUMNS)
      .limit(Math.min(Math.max(options.limit ?? 50, 1), 500));
    if (options.open === true)
      q.whereNull('cleared_at').orderBy([{ column: 'severity' }, { column: 'raised_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
    else if (options.open === false)
      q.whereNotNull('cleared_at').orderBy([
        { column: 'cleared_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
    else q.orderBy('id', 'desc');
    return ((await q) as AlertRow[]).map(toAlert);
  }

  /** One raising by id, or null. */
  async get(id: number): Promise<Alert | null> {
    const row = (await this.deps.db('core_alerts').where('id', id).first(COLUMNS)) as AlertRow | undefined;
    return row ? toAlert(row) : null;
  }

  /** Records that the mail of a raising (`raised`) or clearing (`cleared`) went out; false if it already had. */
  async markNotified(id: number, what: 'raised' | 'cleared'): Promise<boolean> {
    const column = what === 'raised' ? 'notified_at' : 'clear_notified_at';
    return (
      (await this.deps
        .db('core_alerts')
        .where('id', id)
        .whereNull(column)
        .update({ [column]: iso(this.deps.clock.now()) })) > 0
    );
  }

  /** Whether the mail of a raising or clearing already went out (a redelivered event sends none). */
  async wasNotified(id: number, what: 'raised' | 'cleared'): Promise<boolean> {
    const row = await this.deps.db('core_alerts').where('id', id).first('notified_at', 'clear_notified_at');
    return Boolean(what === 'raised' ? row?.notified_at : row?.clear_notified_at);
  }

  private push(list: Alert[], alert: Alert | null): void {
    if (alert) list.push(alert);
  }

  private stale(row: AlertRow): boolean {
    return (row.seen_at ?? row.raised_at) < iso(new Date(this.deps.clock.now().getTime() - STALE_MS));
  }

  private ownerOf(key: string): string | null {
    for (const name of this.conditions.keys()) if (key === name || key.startsWith(`${name}:`)) return name;
    return null;
  }

  /** The reports whose keys the condition owns, once each; another's key is a bug, logged and skipped. */
  private owned(name: string, reports: AlertReport[]): AlertReport[] {
    const seen = new Set<string>();
    return reports.filter((r) => {
      if (r.key !== name && !r.key.startsWith(`${name}:`)) {
        this.deps.logger.error({ condition: name, key: r.key }, 'an alert condition reported a key it does not own; skipped');
        return false;
      }
      if (seen.has(r.key)) return false;
      seen.add(r.key);
      return true;
    });
  }

  private async openRows(): Promise<AlertRow[]> {
    return (await this.deps.db('core_alerts').whereNull('cleared_at').select(COLUMNS)) as AlertRow[];
  }

  private async openRow(key: string): Promise<AlertRow | undefined> {
    return (await this.deps.db('core_alerts').where('key', key).whereNull('cleared_at').first(COLUMNS)) as AlertRow | undefined;
  }

  /** The tenant the events are emitted for: the operator's, when a plugin says which (null otherwise). */
  private tenant(): Promise<string | null> {
    return this.deps.hooks.applyFilters<string | null>(ALERT_HOOKS.tenant, null);
  }

  /**
   * Still reported: when (and on which host) is recorded, and an alert whose figures moved (more dead
   * events, less disk) shows the new ones. No new mail, no event.
   */
  private async refresh(row: AlertRow, report: AlertReport, host: string | null): Promise<void> {
    const next = {
      severity: report.severity,
      summary: report.summary.slice(0, 500),
      details: JSON.stringify(report.details ?? {}),
      host,
      message: messageOf(report),
    };
    await this.deps
      .db('core_alerts')
      .where('id', row.id)
      .whereNull('cleared_at')
      .update({ ...next, seen_at: iso(this.deps.clock.now()) });
  }

  /** Raises: the row and its event in one transaction. Null when another instance raised it first. */
  private async insert(report: AlertReport, by: { condition: string | null; host: string | null }, tenantId: string | null): Promise<Alert | null> {
    const now = iso(this.deps.clock.now());
    const row = {
      key: report.key,
      ...by,
      severity: report.severity,
      summary: report.summary.slice(0, 500),
      details: JSON.stringify(report.details ?? {}),
      message: messageOf(report),
      raised_at: now,
      seen_at: now,
    };
    let alert: Alert;
    try {
      alert = await this.deps.db.transaction(async (trx) => {
        const [inserted] = await trx('core_alerts').insert(row).returning('id');
        const raised = toAlert({ ...row, id: Number(typeof inserted === 'object' ? inserted.id : inserted), cleared_at: null, notified_at: null });
        await this.deps.events.emit(trx, ALERT_RAISED, payloadOf(raised), { tenantId });
        return raised;
      });
    } catch (err) {
      if (isUniqueViolation(err)) return null; // another instance raised it a moment ago (the partial unique index)
      throw err;
    }
    this.deps.logger.warn({ alert: alert.key, severity: alert.severity, summary: alert.summary }, 'alert raised');
    await this.deps.hooks.notify(ALERT_HOOKS.raised, alert);
    return alert;
  }

  /** Clears: `cleared_at` and its event in one transaction. Null when another instance cleared it first. */
  private async close(row: AlertRow, tenantId: string | null): Promise<Alert | null> {
    const at = iso(this.deps.clock.now());
    const alert = await this.deps.db.transaction(async (trx) => {
      const n = await trx('core_alerts').where('id', row.id).whereNull('cleared_at').update({ cleared_at: at });
      if (!n) return null;
      const cleared = { ...toAlert(row), cleared_at: at };
      await this.deps.events.emit(trx, ALERT_CLEARED, payloadOf(cleared), { tenantId });
      return cleared;
    });
    if (!alert) return null;
    this.deps.logger.info({ alert: alert.key, summary: alert.summary }, 'alert cleared');
    await this.deps.hooks.notify(ALERT_HOOKS.cleared, alert);
    return alert;
  }
}
