// One license (?license=LIC-…): its facts, and its devices with Deactivate / Activate; Revoke.
import { useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, Page, Table, Time, t, useApi } from 'plinth/plugin/ui';
import { RevokeDialog } from './revoke.js';
import { BASE, explain, planName, StatusBadge, useAction, ValidUntil, type Device, type License } from './shared.js';

function Facts(props: { license: License }) {
  const { license } = props;
  return (
    <section class="card" aria-labelledby="license-title">
      <h2 id="license-title">{t('licensing.facts.title')}</h2>
      <dl class="facts">
        <dt>{t('licensing.facts.code')}</dt>
        <dd>
          <CopyText text={license.activation_code} label={t('licensing.facts.codeLabel')} />
        </dd>
        <dt>{t('licensing.facts.email')}</dt>
        <dd>{license.email ?? '—'}</dd>
        <dt>{t('licensing.facts.plan')}</dt>
        <dd>{planName(license.plan)}</dd>
        <dt>{t('licensing.facts.status')}</dt>
        <dd>
          <StatusBadge status={license.status} />
          {license.status_reason ? <span class="muted"> · {license.status_reason}</span> : null}
        </dd>
        <dt>{t('licensing.facts.devices')}</dt>
        <dd>{t('licensing.facts.devicesUsed', { used: license.active_devices, cap: license.device_cap })}</dd>
        <dt>{t('licensing.facts.issued')}</dt>
        <dd>
          <Time value={license.issued_at} />
        </dd>
        <dt>{t('licensing.facts.validUntil')}</dt>
        <dd>
          <ValidUntil value={license.valid_until} />
        </dd>
        {license.user_hint ? (
          <>
            <dt>{t('licensing.facts.note')}</dt>
            <dd>{license.user_hint}</dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

export function LicenseDevices(props: { licenseId: string; backHref: string }) {
  const { licenseId } = props;
  const one = useApi<{ license: License; devices: Device[] }>(`${BASE}/licenses/${encodeURIComponent(licenseId)}`);
  const [revoking, setRevoking] = useState(false);
  const { error, busy, run } = useAction();
  const license = one.data?.license;

  const setDevice = (device: Device, action: 'deactivate' | 'activate') =>
    run(async () => {
      try {
        await api(`${BASE}/${action}-device`, { body: { license_id: licenseId, device_id: device.device_id } });
      } finally {
        one.reload(); // the counts may have changed even when the call failed (another admin)
      }
    });

  return (
    <Page
      title={t('licensing.devices.pageTitle', { id: licenseId })}
      actions={
        <>
          <button type="button" class="secondary" onClick={one.reload}>
            {t('licensing.refresh')}
          </button>
          {license?.status === 'active' ? (
            <button type="button" class="danger" onClick={() => setRevoking(true)}>
              {t('licensing.revoke')}
            </button>
          ) : null}
        </>
      }
    >
      <p style={{ margin: '0 0 1rem' }}>
        <a href={props.backHref}>{t('licensing.devices.back')}</a>
      </p>
      {revoking ? <RevokeDialog licenseId={licenseId} onClose={() => setRevoking(false)} onRevoked={one.reload} /> : null}
      <ErrorBanner error={one.error} />
      {license ? (
        <Facts license={license} />
      ) : one.loading ? (
        <p class="muted" role="status">
          {t('licensing.loading')}
        </p>
      ) : null}
      {license ? (
        <section class="card" aria-labelledby="devices-title">
          <h2 id="devices-title">{t('licensing.devices.title')}</h2>
          <ErrorBanner error={explain(error)} />
          <Table
            rows={one.data?.devices ?? []}
            rowKey={(d) => d.device_id}
            empty={t('licensing.devices.empty')}
            columns={[
              { label: t('licensing.devices.col.id'), value: (d) => <code>{d.device_id}</code> },
              { label: t('licensing.devices.col.name'), value: (d) => d.device_name || '—' },
              { label: t('licensing.devices.col.ip'), value: (d) => d.ip_address ?? '—' },
              { label: t('licensing.devices.col.firstSeen'), value: (d) => <Time value={d.first_seen_at} /> },
              { label: t('licensing.devices.col.lastSeen'), value: (d) => <Time value={d.last_seen_at} /> },
              { label: t('licensing.devices.col.status'), value: (d) => <StatusBadge status={d.status} /> },
              {
                label: t('licensing.devices.col.actions'),
                value: (d) =>
                  d.status === 'active' ? (
                    <button type="button" class="danger small" disabled={busy} onClick={() => setDevice(d, 'deactivate')}>
                      {t('licensing.devices.deactivate')}
                    </button>
                  ) : (
                    <button type="button" class="secondary small" disabled={busy} onClick={() => setDevice(d, 'activate')}>
                      {t('licensing.devices.activate')}
                    </button>
                  ),
              },
            ]}
          />
          <p class="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.9rem' }}>
            {t('licensing.devices.hint')}
          </p>
        </section>
      ) : null}
    </Page>
  );
}
