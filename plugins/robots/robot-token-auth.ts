import type { AuthStrategy } from 'plinth/plugin';
import type { RobotsServices } from './services/index.js';
import { RobotsErrors } from './services/errors.js';

/** Robot tokens (`Bearer rbt_…`) as a principal kind: the robot acts as itself, with no user scopes. */
export function robotTokenStrategy(s: RobotsServices): AuthStrategy {
  return {
    name: 'robots.token',
    async authenticate(req) {
      const header = req.headers.authorization;
      const token = typeof header === 'string' ? /^Bearer\s+(rbt_[A-Za-z0-9_-]+)$/.exec(header.trim())?.[1] : undefined;
      if (!token) return null;
      const robot = await s.tokens.robotOf(token, 'access');
      if (!robot) throw RobotsErrors.robotTokenInvalid();
      return {
        kind: 'robot',
        id: robot.robot_id,
        tenantId: robot.tenant_id,
        roles: ['robot'],
        scopes: [],
        name: robot.robot_id,
        attributes: { robotPk: robot.id },
      };
    },
  };
}
