// The robots plugin's admin pages, keyed by the page paths of its manifest (plugins/robots/index.ts):
// the robots list, and one robot at ?robot=<robotId> (a link, so it can be shared and Back works);
// activation codes and users for WorkBot admins (the API refuses anyone else with 403).
import { addMessages, useQueryParam } from 'plinth/plugin/ui';
import { CodesPage } from './codes.js';
import { RobotView } from './robot.js';
import { RobotsList } from './robots.js';
import { UsersPage } from './users.js';
import en from './messages/en.json' with { type: 'json' };
import zhCN from './messages/zh-CN.json' with { type: 'json' };

addMessages({ en, 'zh-CN': zhCN });

function RobotsPage() {
  const robotId = useQueryParam('robot');
  return robotId ? <RobotView key={robotId} robotId={robotId} backHref={location.pathname} /> : <RobotsList />;
}

export const pages = {
  '': RobotsPage,
  codes: CodesPage,
  users: UsersPage,
};
