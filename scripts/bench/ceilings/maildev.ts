import path from 'node:path';
import type { Ceiling } from '../lib/context.js';
import { projectRoot } from '../lib/plinth.js';
import { cleanEnv, freePort, makeTempDir, removeTempDir, spawnChild, waitForLine } from '../lib/process.js';
import { measureSmtp, warmupSmtp } from './smtp-parse.js';

// The package exports nothing to resolve; its CLI is where its `bin` says.
const bin = path.join(projectRoot, 'node_modules', 'maildev', 'dist', 'bin', 'maildev.js');

/**
 * Not a ceiling but a peer: MailDev, what a Node developer runs to catch test mail (smtp-server +
 * mailparser; Plinth parses with postal-mime), keeping each mail in a file of --mail-directory (written, not fsynced).
 * Measured with the same SMTP load as Plinth's ingest, in the same run.
 */
export const maildev: Ceiling = {
  name: 'maildev',
  unit: 'msg/s',
  describe: 'MailDev 3 (npm maildev), mails kept in --mail-directory files, no fsync',
  async start() {
    const dir = makeTempDir('maildev');
    const [smtpPort, webPort] = [await freePort(), await freePort()];
    const child = spawnChild(
      'maildev',
      process.execPath,
      [bin, '--smtp', String(smtpPort), '--web', String(webPort), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--mail-directory', dir],
      { env: cleanEnv({ NODE_ENV: 'production' }) },
    );
    const stop = async () => {
      await child.stop();
      removeTempDir(dir);
    };
    try {
      await waitForLine(child, /Press Ctrl\+C to stop/, 15_000);
    } catch (err) {
      await stop();
      throw err;
    }
    return { name: 'maildev', pid: child.pid, port: smtpPort, url: `smtp://127.0.0.1:${smtpPort}`, stop };
  },
  measure: (server, s) => measureSmtp(server, s),
  warmup: warmupSmtp,
};
