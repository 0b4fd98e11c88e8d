import type { Socket } from 'node:net';

/**
 * Holds a connection's SMTP replies until the end of the event loop's turn, then sends them in one
 * write, as RFC 2920 (PIPELINING) section 3.2 asks of a server: the replies to a group of
 * pipelined commands go out as a unit, not one packet each. smtp-server writes each reply as soon
 * as it has it, so a sender's pipelined MAIL, RCPT and DATA cost three writes and wake the sender
 * three times; held, they are one.
 *
 * A 220 goes out at once, with whatever was held before it: it is the greeting, or the reply to
 * STARTTLS, after which the TLS handshake takes the socket over. Ending the socket (QUIT's 221, a
 * 421) sends what is held first, as Node's `end` does.
 */
export function coalesceReplies(socket: Socket): void {
  const write = socket.write;
  let held = false;
  const release = () => {
    if (!held) return;
    held = false;
    socket.uncork(); // on a destroyed socket, drops what was held
  };
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (!held) {
      held = true;
      socket.cork();
      setImmediate(release);
    }
    const accepted = (write as (...args: unknown[]) => boolean).call(socket, chunk, ...rest);
    if (typeof chunk === 'string' && chunk.startsWith('220')) release();
    return accepted;
  }) as Socket['write'];
}
