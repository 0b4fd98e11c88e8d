/**
 * A successful result for the router to wrap in the face's success envelope (`{ code: 0, message,
 * data }` on WorkBot's face, `{ success: true, … }` on the license server's, as is elsewhere), so
 * routes say what they answer and never which envelope their face uses. A handler that returns a
 * plain value is answered with it as is (a face whose seed has no envelope, a stream, a redirect).
 */
export class SuccessReply {
  constructor(private readonly body: { data: unknown; message?: string }) {}

  get data(): unknown {
    return this.body.data;
  }
  get message(): string | undefined {
    return this.body.message;
  }
}

/** `return ok(data)` / `ok(data, 'created')`: answered in the face's success envelope. */
export const ok = (data: unknown = null, message?: string): SuccessReply => new SuccessReply({ data, message });
