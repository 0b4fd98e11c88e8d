import type { SocketRoute } from 'plinth/plugin';
import type { RobotsSettings } from './config.js';
import type { RobotsServices } from './services/index.js';

/**
 * The robots' WebSocket (`<base>/ws?robotId=…&token=…`): the handshake checks the robot's access
 * token against the robotId (a mismatch is logged as a security event); once open, the socket
 * answers `ping` with `pong` and the command service replays what the robot missed, then pushes.
 */
export function robotSocketEndpoint(s: RobotsServices, settings: RobotsSettings, path: string): SocketRoute {
  return {
    path,
    maxPayload: settings.wsMaxFrameBytes,
    allowedOrigins: settings.wsAllowedOrigins.length ? settings.wsAllowedOrigins : undefined,
    async accept(req, url) {
      const token = url.searchParams.get('token') ?? '';
      const robot = await s.tokens.robotOf(token, 'access');
      if (!robot || robot.robot_id !== url.searchParams.get('robotId')) {
        await s.systemLogs.record({
          tenantId: robot?.tenant_id ?? null,
          type: 'security',
          level: 'warn',
          message: robot ? 'robot token used for another robotId at the WebSocket handshake' : 'invalid robot token at the WebSocket handshake',
          details: { robotId: url.searchParams.get('robotId') },
          ip: req.socket?.remoteAddress ?? null,
        });
        throw new Error('refused');
      }
      return robot;
    },
    connected(socket, context) {
      const robot = context as { id: number };
      socket.on('message', (raw) => {
        let message: { type?: string };
        try {
          message = JSON.parse(String(raw));
        } catch {
          return; // not JSON: nothing a robot sends needs an answer
        }
        if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong', timestamp: Date.now() }));
      });
      void s.commands.connected(robot.id, socket);
    },
  };
}
