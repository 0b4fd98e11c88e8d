import { AppError } from 'plinth/plugin';
import type { MailCodeWaiter } from '../../mail/api.js';
import type { RobotsPublicApi } from '../../robots/api.js';

type Json = Record<string, unknown>;
type Preview = (tenantId: string, args: Json) => Promise<unknown>;

/**
 * What a destructive action tool's preview (and dry run) shows: its target looked up through the
 * contract its plugin registers, so a target that is not the tenant's is refused at once and no
 * confirmation token is issued for it. A plugin that is off contributes none.
 */
export function actionPreviews(contracts: { mail: MailCodeWaiter | null; robots: RobotsPublicApi | null }): Record<string, Preview> {
  const previews: Record<string, Preview> = {};
  const { mail, robots } = contracts;
  if (mail) {
    previews['mail.send'] = async (tenantId, a) => {
      const from = await mail.mailbox(tenantId, String(a.from));
      const to = (Array.isArray(a.to) ? a.to : String(a.to ?? '').split(',')).map((x) => String(x).trim()).filter(Boolean);
      const when = typeof a.scheduledAt === 'string' ? `at ${a.scheduledAt}` : 'now';
      return { from, to, subject: a.subject, effect: `a message from ${from.address} to ${to.length} recipient(s) is sent ${when}` };
    };
  }
  if (robots) {
    previews['robots.send_message'] = async (tenantId, a) => {
      const robot = await robots.robot(tenantId, String(a.robotId));
      if (!robot) throw AppError.notFound(`robot ${String(a.robotId)} not found`);
      const chats = Array.isArray(a.titleList) ? a.titleList.map(String) : [];
      return {
        robot: { robotId: robot.robotId, name: robot.name },
        chats,
        effect: `${robot.name} sends a ${String(a.type ?? 'text')} message to ${chats.length} chat(s)`,
      };
    };
  }
  return previews;
}
