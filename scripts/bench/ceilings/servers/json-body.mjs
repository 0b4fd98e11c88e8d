// A POST's JSON body, read and parsed as any JSON API must before it answers: the raw-select
// ceilings do this first for a figure whose request carries one (license verify).
export async function jsonBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
