// Backups (superadmin): every backup in each destination, taking one now, downloading and deleting
// one; how backups are scheduled and kept; the last failure when it is newer than the last success;
// and how to restore (which the server cannot do for itself: it must be stopped).
import { useState } from 'preact/hooks';
import { api, ApiError, ConfirmDialog, ErrorBanner, formatDateTime, formatList, formatNumber, Page, Table, Time, t, tOr, tx, useApi } from 'plinth/plugin/ui';
import { BASE, useAction } from './shared.js';

type Location = 'local' | 's3';

interface Backup {
  name: string;
  location: Location;
  bytes: number;
  created_at: string;
  database: 'sqlite' | 'postgres';
  plinth_version: string;
}

interface Outcome {
  at: string;
  trigger: 'schedule' | 'manual' | 'cli';
  name: string | null;
  bytes: number | null;
  error: string | null;
}

interface Backups {
  items: Backup[];
  destinations: Array<{ location: Location; where: string }>;
  schedule: string | null;
  keep: number;
  last_success: Outcome | null;
  last_failure: Outcome | null;
  list_error: string | null;
}

interface Taken {
  name: string;
  bytes: number;
  locations: Location[];
  created_at: string;
}

const PATH = `${BASE}/admin/backups`;
const location = (where: Location) => t('auth.backups.location', { location: where });
const trigger = (o: Outcome) => t('auth.backups.trigger', { trigger: o.trigger });

/** 1536 → "1.5 KiB" (the binary units read the same in every language). */
function size(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit < 0 ? t('auth.backups.bytes', { count: bytes }) : `${formatNumber(value, { minimumFractionDigits: 1, maximumFractionDigits: 1 })} ${units[unit]}`;
}

const fileOf = (b: Pick<Backup, 'location' | 'name'>) => `${PATH}/${b.location}/${encodeURIComponent(b.name)}`;

/** Why Back up now was refused, by its code (one already running, pg_dump missing); else the server's words. */
const refusal = (error: Error | null) => (error instanceof ApiError ? tOr(`auth.backups.refused.${error.code}`, error.message) : error);

/** The last failure, when nothing succeeded since. */
function failureBanner(d: Backups | undefined): string | null {
  const failed = d?.last_failure;
  if (!failed || (d.last_success && d.last_success.at > failed.at)) return null;
  return t('auth.backups.lastFailed', { trigger: trigger(failed), when: formatDateTime(failed.at), error: failed.error });
}

function Settings(props: { data: Backups }) {
  const d = props.data;
  return (
    <section class="card" aria-labelledby="backup-settings-title">
      <h2 id="backup-settings-title">{t('auth.backups.settings')}</h2>
      <dl class="facts">
        <dt>{t('auth.backups.schedule')}</dt>
        <dd>
          {d.schedule
            ? tx('auth.backups.cron', {
                schedule: d.schedule,
                code: (text: string) => <code>{text}</code>,
                term: (text: string) => <span translate={false}>{text}</span>,
              })
            : tx('auth.backups.notScheduled', { code: (text: string) => <code>{text}</code> })}
        </dd>
        <dt>{t('auth.backups.kept')}</dt>
        <dd>{t('auth.backups.keep', { count: d.keep })}</dd>
        {d.destinations.flatMap((dest) => [
          <dt key={`${dest.location}-dt`}>{location(dest.location)}</dt>,
          <dd key={`${dest.location}-dd`}>
            <code>{dest.where}</code>
          </dd>,
        ])}
        <dt>{t('auth.backups.lastSuccess')}</dt>
        <dd>
          {d.last_success ? tx('auth.backups.when', { time: <Time value={d.last_success.at} />, trigger: trigger(d.last_success) }) : t('auth.backups.noneYet')}
        </dd>
      </dl>
    </section>
  );
}

/** A command or flag, never broken across lines. */
const Cmd = (props: { children: string }) => <code style={{ whiteSpace: 'nowrap' }}>{props.children}</code>;
const cmd = (text: string) => <Cmd>{text}</Cmd>;

function HowToRestore() {
  return (
    <section class="card" aria-labelledby="restore-title">
      <h2 id="restore-title">{t('auth.backups.restore')}</h2>
      <p>{t('auth.backups.restoreIntro')}</p>
      <ol>
        <li>{t('auth.backups.restoreDownload')}</li>
        <li>{t('auth.backups.restoreStop')}</li>
        <li>{tx('auth.backups.restoreRun', { cmd })}</li>
        <li>{tx('auth.backups.restoreSame', { cmd })}</li>
        <li>{tx('auth.backups.restorePostgres', { cmd })}</li>
        <li>{t('auth.backups.restoreStart')}</li>
      </ol>
    </section>
  );
}

export function BackupsPage() {
  const list = useApi<Backups>(PATH);
  const create = useAction();
  const [taken, setTaken] = useState<Taken | null>(null);
  const [deleting, setDeleting] = useState<Backup | null>(null);

  const backUpNow = async () => {
    setTaken(null);
    await create.run(async () => setTaken(await api<Taken>(PATH, { method: 'POST' })));
    // Success shows the new one; a failure's reason is in the list's last failure.
    list.reload();
  };
  const remove = async (b: Backup) => {
    await api(fileOf(b), { method: 'DELETE' });
    if (taken?.name === b.name) setTaken(null);
    list.reload();
  };
  const d = list.data;

  return (
    <Page
      title={t('auth.nav.backups')}
      actions={
        <>
          <button type="button" class="secondary" onClick={list.reload} disabled={list.loading}>
            {t('auth.backups.refresh')}
          </button>
          <button type="button" onClick={backUpNow} disabled={create.busy}>
            {create.busy ? t('auth.backups.backingUp') : t('auth.backups.backUp')}
          </button>
        </>
      }
    >
      <ErrorBanner error={list.error} />
      <ErrorBanner error={failureBanner(d)} />
      <ErrorBanner error={d?.list_error ? t('auth.backups.listFailed', { error: d.list_error }) : null} />
      <ErrorBanner error={refusal(create.error)} />
      {taken ? (
        <p class="notice" role="status">
          {t('auth.backups.taken', {
            name: taken.name,
            size: size(taken.bytes),
            where: formatList(taken.locations.map((l) => t('auth.backups.to', { location: l }))),
          })}
        </p>
      ) : null}
      <div class="card">
        <Table
          caption={t('auth.backups.caption')}
          rows={d?.items ?? []}
          rowKey={(b) => `${b.location}/${b.name}`}
          empty={list.loading ? t('kit.loading') : t('auth.backups.empty')}
          columns={[
            {
              label: t('auth.backups.createdAt'),
              value: (b) => (
                <>
                  <Time value={b.created_at} /> {b.name === taken?.name ? <span class="badge badge-ok">{t('auth.backups.new')}</span> : null}
                </>
              ),
            },
            { label: t('auth.backups.size'), value: (b) => size(b.bytes), class: 'num' },
            {
              label: t('auth.backups.where'),
              value: (b) => <span title={d?.destinations.find((x) => x.location === b.location)?.where}>{location(b.location)}</span>,
            },
            { label: t('auth.backups.version'), value: 'plinth_version' },
            { label: t('auth.backups.database'), value: (b) => (b.database === 'postgres' ? 'PostgreSQL' : 'SQLite') },
            {
              label: t('auth.actions'),
              value: (b) => (
                <span class="row-actions">
                  <a href={fileOf(b)} download={b.name} aria-label={t('auth.backups.downloadOne', { name: b.name })}>
                    {t('auth.backups.download')}
                  </a>
                  <button type="button" class="danger small" onClick={() => setDeleting(b)} aria-label={t('auth.backups.deleteOne', { name: b.name })}>
                    {t('auth.backups.delete')}
                  </button>
                </span>
              ),
            },
          ]}
        />
      </div>
      {d ? <Settings data={d} /> : null}
      <HowToRestore />
      {deleting ? (
        <ConfirmDialog
          title={t('auth.backups.deleteTitle')}
          action={t('auth.backups.deleteAction')}
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(null)}
        >
          <p>
            {tx('auth.backups.deleteText', {
              name: deleting.name,
              where: d?.destinations.find((x) => x.location === deleting.location)?.where ?? deleting.location,
              code: (text: string) => <code>{text}</code>,
            })}
          </p>
        </ConfirmDialog>
      ) : null}
    </Page>
  );
}
