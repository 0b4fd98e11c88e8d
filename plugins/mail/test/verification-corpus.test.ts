import assert from 'node:assert/strict';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { MailSettings } from '../config.js';
import { extractVerificationCode } from '../services/code-extractor.js';
import { messageText, parseMessage } from '../services/prepare-message.js';
import { CORPUS, type CorpusMail } from './fixtures/verification-corpus/index.js';

/** The code found in a corpus mail, through received mail's own path: MIME → mailparser → text → extractor. */
async function extractFromMail(mail: CorpusMail): Promise<string | null> {
  const raw = await new MailComposer({ from: mail.from, to: 'someone@mail.test', subject: mail.subject, text: mail.text, html: mail.html }).compile().build();
  const parsed = await parseMessage(raw, settings);
  return extractVerificationCode(parsed.subject ?? '', await messageText(parsed, settings));
}

/** The parts of the mail settings parsing reads (the config schema's defaults). */
const settings = { maxHtmlBytes: 1024 * 1024, smtp: { parseTimeoutMs: 10_000, maxMimeParts: 100, maxHeaderBytes: 64 * 1024 } } as MailSettings;

describe('mail: verification codes, measured on the labelled corpus', () => {
  it('the corpus is broad: 150+ mails, 8+ languages, HTML-only layouts, confusers without a code', () => {
    assert.ok(CORPUS.length >= 150, `${CORPUS.length} mails`);
    assert.equal(new Set(CORPUS.map((m) => m.id)).size, CORPUS.length, 'ids are unique');
    const languages = new Set(CORPUS.map((m) => m.lang));
    assert.ok(languages.size >= 8, [...languages].join(' '));
    assert.ok(CORPUS.filter((m) => m.html && !m.text).length >= 40, 'HTML-only mails');
    assert.ok(CORPUS.filter((m) => m.code === null).length >= 50, 'mails without a code');
  });

  it('finds at least 98% of the codes right and never returns a wrong one', async () => {
    const misses: string[] = [];
    const falsePositives: string[] = [];
    let correct = 0;
    for (const mail of CORPUS) {
      const found = await extractFromMail(mail);
      if (found === mail.code) correct++;
      else if (found === null) misses.push(`${mail.id}: expected ${mail.code}, found none`);
      else falsePositives.push(`${mail.id}: expected ${mail.code ?? 'none'}, found ${found}`);
    }
    const rate = (100 * correct) / CORPUS.length;
    console.log(`      verification codes: ${correct}/${CORPUS.length} correct (${rate.toFixed(1)}%), ${falsePositives.length} false positives`);
    for (const line of [...misses, ...falsePositives]) console.log(`        ${line}`);
    assert.deepEqual(falsePositives, [], 'a code returned where there is none, or the wrong code');
    assert.ok(rate >= 98, `${rate.toFixed(1)}% correct`);
  });
});
