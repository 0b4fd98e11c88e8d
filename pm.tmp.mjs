import nodemailer from 'nodemailer';
import { prepareMessage } from './dist/plugins/mail/services/prepare-message.js';
const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
const pad = `\n\n${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(30).slice(0, 1348)}`;
const msgs = [];
for (let i = 0; i < 2000; i++) msgs.push((await composer.sendMail({ from: `Sender ${i} <sender${i}@bench.invalid>`, to: `box${i % 100}@bench.test`, subject: `Your code is ${100000 + i}`, text: `Hello,\n\nyour one-time code is ${100000 + i}. It expires in 10 minutes.\n\n-- bench${pad}`, html: `<p>Hello,</p><p>your one-time code is <b>${100000 + i}</b>. It expires in 10 minutes.</p><p>-- bench</p>` })).message);
const settings = process.argv[2] ? JSON.parse(process.argv[2]) : null;
const s = { maxHtmlBytes: 1024 * 1024, smtp: { parseTimeoutMs: 10000, maxMimeParts: 1000, maxHeaderBytes: 262144 } };
for (let r = 0; r < 6; r++) { const t = process.hrtime.bigint(); for (let k = 0; k < 5; k++) for (const m of msgs) await prepareMessage(m, 'x@y.z', s); console.log('prepare µs', (Number(process.hrtime.bigint() - t) / 10000 / 1000).toFixed(1)); }
