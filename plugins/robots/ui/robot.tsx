// One robot (?robot=…): its details with live online status, a form to send a message, its command
// log (live) and the messages its phone reported.
import { useState } from 'preact/hooks';
import { ErrorBanner, LiveNote, Page, Time } from 'plinth/plugin/ui';
import { CommandLog } from './commands.js';
import { MessageList } from './messages.js';
import { RobotActivity } from './robot-activity.js';
import { deviceName, type RobotRow } from './robots.js';
import { SendMessageForm } from './send-message.js';
import { BASE, StatusBadge, useLiveApi, type Reply } from './shared.js';

/** GET /api/robots/{robotId}. */
interface RobotDetail extends RobotRow {
  robotUuid: string;
  aiModel?: string;
  aiScenario?: string;
  deviceInfo: (RobotRow['deviceInfo'] & { os?: string; osVersion?: string; appVersion?: string }) | null;
  activationInfo: { code: string; firstActivatedAt: string; lastActivatedAt: string } | null;
}

const EVERY_MS = 15_000;

function Facts(props: { robot: RobotDetail }) {
  const r = props.robot;
  const d = r.deviceInfo;
  return (
    <section class="card" aria-labelledby="robot-facts-title">
      <h2 id="robot-facts-title">Details</h2>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={r.status} />
        </dd>
        <dt>Robot id</dt>
        <dd>
          <code>{r.robotId}</code>
        </dd>
        <dt>AI</dt>
        <dd>{[r.aiMode, r.aiProvider, r.aiModel].filter(Boolean).join(' · ')}</dd>
        <dt>Device</dt>
        <dd>
          {deviceName(d)}
          {d?.os ? <span class="muted"> · {[d.os, d.osVersion].filter(Boolean).join(' ')}</span> : null}
          {d?.appVersion ? <span class="muted"> · app {d.appVersion}</span> : null}
        </dd>
        <dt>Activation code</dt>
        <dd>{r.activationInfo ? <code>{r.activationInfo.code}</code> : '—'}</dd>
        <dt>Activated</dt>
        <dd>
          <Time value={r.activationInfo?.firstActivatedAt} />
        </dd>
        <dt>Messages</dt>
        <dd>{r.totalMessages.toLocaleString()}</dd>
        <dt>AI calls today</dt>
        <dd>{r.aiCallsToday.toLocaleString()}</dd>
        <dt>Last active</dt>
        <dd>
          <Time value={r.lastActiveAt} />
        </dd>
      </dl>
    </section>
  );
}

export function RobotView(props: { robotId: string; backHref: string }) {
  const one = useLiveApi<Reply<RobotDetail>>(`${BASE}/robots/${encodeURIComponent(props.robotId)}`, EVERY_MS, (_kind, data) => data.robotId === props.robotId);
  const [sent, setSent] = useState(0);
  const robot = one.data?.data;
  return (
    <Page title={robot ? robot.name : 'Robot'}>
      <p style={{ margin: '0 0 1rem' }}>
        <a href={props.backHref}>← All robots</a>
        {' · '}
        <LiveNote open={one.live} fallback={`Live updates are reconnecting: checked every ${EVERY_MS / 1000} s.`} />
      </p>
      <ErrorBanner error={one.error} />
      {robot ? (
        <>
          <Facts robot={robot} />
          <RobotActivity robotId={robot.robotId} />
          <SendMessageForm robotId={robot.robotId} onSent={() => setSent((n) => n + 1)} />
          <CommandLog robotId={robot.robotId} refreshKey={sent} />
          <MessageList robotId={robot.robotId} />
        </>
      ) : one.loading ? (
        <p class="muted" role="status">
          Loading…
        </p>
      ) : null}
    </Page>
  );
}
