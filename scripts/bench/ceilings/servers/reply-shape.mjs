// The reply a raw-select ceiling answers has the shape of Plinth's own to the figure's request
// (BENCH_REPLY, a sample reply as JSON): each scalar field becomes a column of the table, filled
// with the sample's value, and the nested values (objects, arrays) are the same for every row, so
// they are joined to the row as it is answered. Both servers then send the same bytes for the same
// work.
export function replyShape() {
  if (!process.env.BENCH_REPLY) throw new Error('BENCH_REPLY (a sample reply, as JSON) is required');
  const sample = JSON.parse(process.env.BENCH_REPLY);
  const columns = [];
  const nested = {};
  for (const [key, value] of Object.entries(sample)) {
    if (value !== null && typeof value === 'object') nested[key] = value;
    else columns.push([key, typeof value === 'number' ? 'DOUBLE PRECISION' : typeof value === 'boolean' ? 'BOOLEAN' : 'TEXT', () => value]);
  }
  return { columns, nested: Object.keys(nested).length ? nested : null };
}

export const quoted = (name) => `"${name.replace(/"/g, '""')}"`;
