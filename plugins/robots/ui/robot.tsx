// One robot (?robot=…): its details with live online status, a form to send a message, its command
// log (live) and the messages its phone reported.
import { useState } from 'preact/hooks';
import { ErrorBanner, formatNumber, LiveNote, Page, Time, t } from 'plinth/plugin/ui';
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
      <h2 id="robot-facts-title">{t('robots.robot.details')}</h2>
      <dl class="facts">
        <dt>{t('robots.robot.status')}</dt>
        <dd>
          <StatusBadge status={r.status} />
        </dd>
        <dt>{t('robots.robot.id')}</dt>
        <dd>
          <code>{r.robotId}</code>
        </dd>
        <dt>{t('robots.robot.ai')}</dt>
        <dd>{[t('robots.aiMode', { mode: r.aiMode }), r.aiProvider, r.aiModel].filter(Boolean).join(' · ')}</dd>
        <dt>{t('robots.robot.device')}</dt>
        <dd>
          {deviceName(d)}
          {d?.os ? <span class="muted"> · {[d.os, d.osVersion].filter(Boolean).join(' ')}</span> : null}
          {d?.appVersion ? <span class="muted"> · {t('robots.robot.app', { version: d.appVersion })}</span> : null}
        </dd>
        <dt>{t('robots.robot.code')}</dt>
        <dd>{r.activationInfo ? <code>{r.activationInfo.code}</code> : '—'}</dd>
        <dt>{t('robots.robot.activated')}</dt>
        <dd>
          <Time value={r.activationInfo?.firstActivatedAt} />
        </dd>
        <dt>{t('robots.robot.messages')}</dt>
        <dd>{formatNumber(r.totalMessages)}</dd>
        <dt>{t('robots.robot.aiCalls')}</dt>
        <dd>{formatNumber(r.aiCallsToday)}</dd>
        <dt>{t('robots.robot.lastActive')}</dt>
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
    <Page title={robot ? robot.name : t('robots.robot.title')}>
      <p style={{ margin: '0 0 1rem' }}>
        <a href={props.backHref}>{t('robots.robot.back')}</a>
        {' · '}
        <LiveNote open={one.live} fallback={t('robots.robot.polling', { seconds: EVERY_MS / 1000 })} />
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
          {t('robots.loading')}
        </p>
      ) : null}
    </Page>
  );
}
