import type { Knex } from 'knex';
import type { AlertCheck, AlertReport } from 'plinth/plugin';
import type { Clock } from 'plinth/plugin';
import type { AiSettings } from '../config.js';

/** What the condition reads, passed by name. */
export interface FailoverAlertDeps {
  db: Knex;
  clock: Clock;
  settings: Pick<AiSettings, 'providers' | 'alerts'>;
}

/**
 * The `ai.failover` condition (core/alerts): `ai.failover:<provider>` while a provider of the config
 * (the operator's: every tenant has it) failed at least `alerts.failovers` times in the last
 * `alerts.windowMinutes`, each time handing the answer to the next provider of the chain, and its
 * latest call failed too. It is read from the call log (a row per attempt), so it counts every
 * instance's calls and survives a restart; it clears when the provider answers again (its latest
 * call is ok) or once a window passes without failures. A tenant's own provider is the tenant's
 * business (its call log shows it): calls of tenants with a provider of that name are not counted.
 */
export function failoverAlert({ db, clock, settings }: FailoverAlertDeps): AlertCheck {
  return async () => {
    const names = settings.providers.map((p) => p.name);
    if (!names.length) return [];
    const { failovers, windowMinutes } = settings.alerts;
    const since = new Date(clock.now().getTime() - windowMinutes * 60_000).toISOString();
    const operatorCalls = () =>
      db('ai_calls')
        .whereIn('provider', names)
        .andWhere('created_at', '>=', since)
        .whereNotExists((q) =>
          q.select(db.raw('1')).from('ai_providers').whereRaw('ai_providers.tenant_id = ai_calls.tenant_id and ai_providers.name = ai_calls.provider'),
        );
    const failed: Array<{ provider: string; n: number | string }> = await operatorCalls()
      .whereNot('outcome', 'ok')
      .groupBy('provider')
      .select('provider')
      .count({ n: '*' });
    const out: AlertReport[] = [];
    for (const { provider, n } of failed) {
      const failures = Number(n);
      if (failures < failovers) continue;
      const last = await operatorCalls().where('provider', provider).orderBy('id', 'desc').first('outcome', 'error', 'created_at');
      if (!last || last.outcome === 'ok') continue;
      out.push({
        key: `ai.failover:${provider}`,
        severity: 'warning',
        summary: `AI provider ${provider} failed ${failures} times in ${windowMinutes} minutes; replies fell back to the next provider (${last.outcome})`,
        details: {
          provider,
          failures,
          window_minutes: windowMinutes,
          threshold: failovers,
          last_outcome: last.outcome,
          last_error: last.error,
          last_at: last.created_at,
        },
        message: { id: 'ai.alert.failover', values: { provider, failures: String(failures), minutes: windowMinutes, outcome: String(last.outcome) } },
      });
    }
    return out;
  };
}
