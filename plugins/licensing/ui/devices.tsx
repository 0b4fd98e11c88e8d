// One license (?license=LIC-…): its facts, and its devices with Deactivate / Activate; Revoke.
import { useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, Page, Table, Time, useApi } from 'plinth/plugin/ui';
import { RevokeDialog } from './revoke.js';
import { BASE, explain, StatusBadge, useAction, ValidUntil, type Device, type License } from './shared.js';

function Facts(props: { license: License }) {
  const { license } = props;
  return (
    <section class="card" aria-labelledby="license-title">
      <h2 id="license-title">License</h2>
      <dl class="facts">
        <dt>Activation code</dt>
        <dd>
          <CopyText text={license.activation_code} label="activation code" />
        </dd>
        <dt>Email</dt>
        <dd>{license.email ?? '—'}</dd>
        <dt>Plan</dt>
        <dd>{license.plan}</dd>
        <dt>Status</dt>
        <dd>
          <StatusBadge status={license.status} />
          {license.status_reason ? <span class="muted"> · {license.status_reason}</span> : null}
        </dd>
        <dt>Devices</dt>
        <dd>
          {license.active_devices} of {license.device_cap} in use
        </dd>
        <dt>Issued</dt>
        <dd>
          <Time value={license.issued_at} />
        </dd>
        <dt>Valid until</dt>
        <dd>
          <ValidUntil value={license.valid_until} />
        </dd>
        {license.user_hint ? (
          <>
            <dt>Note</dt>
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
      title={`License ${licenseId}`}
      actions={
        <>
          <button type="button" class="secondary" onClick={one.reload}>
            Refresh
          </button>
          {license?.status === 'active' ? (
            <button type="button" class="danger" onClick={() => setRevoking(true)}>
              Revoke
            </button>
          ) : null}
        </>
      }
    >
      <p style={{ margin: '0 0 1rem' }}>
        <a href={props.backHref}>← All licenses</a>
      </p>
      {revoking ? <RevokeDialog licenseId={licenseId} onClose={() => setRevoking(false)} onRevoked={one.reload} /> : null}
      <ErrorBanner error={one.error} />
      {license ? (
        <Facts license={license} />
      ) : one.loading ? (
        <p class="muted" role="status">
          Loading…
        </p>
      ) : null}
      {license ? (
        <section class="card" aria-labelledby="devices-title">
          <h2 id="devices-title">Devices</h2>
          <ErrorBanner error={explain(error)} />
          <Table
            rows={one.data?.devices ?? []}
            rowKey={(d) => d.device_id}
            empty="No device has activated this license yet."
            columns={[
              { label: 'Device id', value: (d) => <code>{d.device_id}</code> },
              { label: 'Name', value: (d) => d.device_name || '—' },
              { label: 'IP', value: (d) => d.ip_address ?? '—' },
              { label: 'First seen', value: (d) => <Time value={d.first_seen_at} /> },
              { label: 'Last seen', value: (d) => <Time value={d.last_seen_at} /> },
              { label: 'Status', value: (d) => <StatusBadge status={d.status} /> },
              {
                label: 'Actions',
                value: (d) =>
                  d.status === 'active' ? (
                    <button type="button" class="danger small" disabled={busy} onClick={() => setDevice(d, 'deactivate')}>
                      Deactivate
                    </button>
                  ) : (
                    <button type="button" class="secondary small" disabled={busy} onClick={() => setDevice(d, 'activate')}>
                      Activate
                    </button>
                  ),
              },
            ]}
          />
          <p class="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.9rem' }}>
            A deactivated device frees its slot and is refused at its next check; activating it again takes a slot back.
          </p>
        </section>
      ) : null}
    </Page>
  );
}
