// Backups (superadmin): every backup in each destination, taking one now, downloading and deleting
// one; how backups are scheduled and kept; the last failure when it is newer than the last success;
// and how to restore (which the server cannot do for itself: it must be stopped).
import { useState } from 'preact/hooks';
import { api, ConfirmDialog, ErrorBanner, Page, Table, Time, useApi } from 'plinth/plugin/ui';
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
const LOCATION: Record<Location, string> = { local: 'Folder', s3: 'S3' };
const TO: Record<Location, string> = { local: 'the folder', s3: 'S3' };
const TRIGGER: Record<Outcome['trigger'], string> = { schedule: 'scheduled', manual: 'taken by hand', cli: 'plinth backup' };

/** 1536 → "1.5 KiB". */
function size(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

const fileOf = (b: Pick<Backup, 'location' | 'name'>) => `${PATH}/${b.location}/${encodeURIComponent(b.name)}`;

/** The last failure, when nothing succeeded since. */
function failureBanner(d: Backups | undefined): string | null {
  const failed = d?.last_failure;
  if (!failed || (d.last_success && d.last_success.at > failed.at)) return null;
  return `The last backup failed (${TRIGGER[failed.trigger]}, ${new Date(failed.at).toLocaleString()}): ${failed.error}`;
}

function Settings(props: { data: Backups }) {
  const d = props.data;
  return (
    <section class="card" aria-labelledby="backup-settings-title">
      <h2 id="backup-settings-title">How backups are taken</h2>
      <dl class="facts">
        <dt>Schedule</dt>
        <dd>
          {d.schedule ? (
            <>
              <code>{d.schedule}</code> (cron, UTC)
            </>
          ) : (
            'Not scheduled (backup.schedule is off): take them here or with plinth backup'
          )}
        </dd>
        <dt>Kept</dt>
        <dd>the newest {d.keep} in each destination (older ones are deleted after a new one succeeds)</dd>
        {d.destinations.flatMap((dest) => [
          <dt key={`${dest.location}-dt`}>{LOCATION[dest.location]}</dt>,
          <dd key={`${dest.location}-dd`}>
            <code>{dest.where}</code>
          </dd>,
        ])}
        <dt>Last success</dt>
        <dd>
          {d.last_success ? (
            <>
              <Time value={d.last_success.at} /> ({TRIGGER[d.last_success.trigger]})
            </>
          ) : (
            'none yet'
          )}
        </dd>
      </dl>
    </section>
  );
}

/** A command or flag, never broken across lines. */
const Cmd = (props: { children: string }) => <code style={{ whiteSpace: 'nowrap' }}>{props.children}</code>;

function HowToRestore() {
  return (
    <section class="card" aria-labelledby="restore-title">
      <h2 id="restore-title">How to restore</h2>
      <p>A running server cannot restore itself: restoring replaces its whole database.</p>
      <ol>
        <li>Download the backup (or take it from the folder or the bucket) onto the server’s machine.</li>
        <li>Stop the server, every instance of it: a restore refuses while a server runs on its target.</li>
        <li>
          Run <Cmd>npm run plinth -- restore FILE</Cmd>. It restores into the configured data dir or database, which must be empty; add <Cmd>--force</Cmd> to
          replace one that holds data. The checksum is verified first; a backup from a newer Plinth is refused, and the migrations a backup from an older one
          lacks are run.
        </li>
        <li>
          Recovering this deployment after a disaster: add <Cmd>--same-deployment</Cmd> to keep its deployment id. Without it the restore is a copy (staging, a
          second deployment) and gets a new deployment id, so it never shares Redis channels or robots with the original.
        </li>
        <li>
          PostgreSQL: <Cmd>pg_restore</Cmd> must be on the PATH (PostgreSQL’s client tools of the server’s major version).
        </li>
        <li>Start the server again.</li>
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
      title="Backups"
      actions={
        <>
          <button type="button" class="secondary" onClick={list.reload} disabled={list.loading}>
            Refresh
          </button>
          <button type="button" onClick={backUpNow} disabled={create.busy}>
            {create.busy ? 'Backing up…' : 'Back up now'}
          </button>
        </>
      }
    >
      <ErrorBanner error={list.error} />
      <ErrorBanner error={failureBanner(d)} />
      <ErrorBanner error={d?.list_error ? `The backups could not be listed: ${d.list_error}` : null} />
      <ErrorBanner error={create.error} />
      {taken ? (
        <p class="notice" role="status">
          Backed up: {taken.name} ({size(taken.bytes)}, to {taken.locations.map((l) => TO[l]).join(' and ')}).
        </p>
      ) : null}
      <div class="card">
        <Table
          caption="Newest first. A backup holds every password hash and signing key: keep downloads safe."
          rows={d?.items ?? []}
          rowKey={(b) => `${b.location}/${b.name}`}
          empty={list.loading ? 'Loading…' : 'No backups yet.'}
          columns={[
            {
              label: 'When',
              value: (b) => (
                <>
                  <Time value={b.created_at} /> {b.name === taken?.name ? <span class="badge badge-ok">new</span> : null}
                </>
              ),
            },
            { label: 'Size', value: (b) => size(b.bytes), class: 'num' },
            { label: 'Where', value: (b) => <span title={d?.destinations.find((x) => x.location === b.location)?.where}>{LOCATION[b.location]}</span> },
            { label: 'Version', value: 'plinth_version' },
            { label: 'Database', value: (b) => (b.database === 'postgres' ? 'PostgreSQL' : 'SQLite') },
            {
              label: 'Actions',
              value: (b) => (
                <span class="row-actions">
                  <a href={fileOf(b)} download={b.name} aria-label={`Download ${b.name}`}>
                    Download
                  </a>
                  <button type="button" class="danger small" onClick={() => setDeleting(b)} aria-label={`Delete ${b.name}`}>
                    Delete
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
        <ConfirmDialog title="Delete this backup?" action="Delete backup" onConfirm={() => remove(deleting)} onClose={() => setDeleting(null)}>
          <p>
            <code>{deleting.name}</code> will be deleted from {d?.destinations.find((x) => x.location === deleting.location)?.where ?? deleting.location}. It
            cannot be brought back.
          </p>
        </ConfirmDialog>
      ) : null}
    </Page>
  );
}
