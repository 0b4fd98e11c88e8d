import assert from 'node:assert/strict';
import { createAjv } from 'plinth/plugin';
import { addRule, describeCondition } from '../ui/condition-builder.js';
import { samplePayload } from '../ui/sample.js';

// The condition builder's schema (no browser): what each operator writes, that the schema accepts
// and refuses the payloads a person would expect, that rules on one field stack, and that the
// sample payload the dry run and Run now start from passes the condition it was made for.

const ajv = createAjv();
const build = (rules: Array<Parameters<typeof addRule>[1]>, start = '') =>
  rules.reduce((text, rule) => {
    const next = addRule(text, rule);
    assert.ok(next.text, next.error);
    return next.text;
  }, start);
const matches = (text: string, payload: unknown) => ajv.compile(JSON.parse(text))(payload);

describe('workflows condition builder', () => {
  it('equals / does not equal / contains / exists / greater / less match what they say', () => {
    const text = build([
      { field: 'subject', op: 'contains', value: 'Order #(1)', type: 'string' },
      { field: 'code', op: 'exists', value: '' },
      { field: 'amount', op: 'greater', value: '10' },
      { field: 'amount', op: 'less', value: '100' },
      { field: 'kind', op: 'equals', value: 'license' },
      { field: 'status', op: 'not_equals', value: 'test' },
      { field: 'tags', op: 'contains', value: 'vip', type: 'array' },
    ]);
    const ok = { subject: 'Re: Order #(1) shipped', code: 'X', amount: 50, kind: 'license', tags: ['vip'] };
    assert.equal(matches(text, ok), true);
    assert.equal(matches(text, { ...ok, subject: 'Order #1' }), false, 'contains is literal text, not a regex');
    assert.equal(matches(text, { ...ok, code: undefined }), false);
    assert.equal(matches(text, { ...ok, amount: 10 }), false, 'greater than is strict');
    assert.equal(matches(text, { ...ok, amount: 100 }), false);
    assert.equal(matches(text, { ...ok, amount: '50' }), false, 'a number rule wants a number');
    assert.equal(matches(text, { ...ok, kind: 'robot' }), false);
    assert.equal(matches(text, { ...ok, status: 'test' }), false);
    assert.equal(matches(text, { ...ok, status: 'live' }), true);
    assert.equal(matches(text, { ...ok, tags: ['basic'] }), false);
    assert.deepEqual(describeCondition(text), [
      'subject contains "Order #(1)"',
      'amount is greater than 10',
      'amount is less than 100',
      'kind equals "license"',
      'status does not equal "test"',
      'tags contains "vip"',
      'code exists',
    ]);
    // The sample passes it (the tags array from a contains rule, the bound from greater / less).
    assert.equal(matches(text, samplePayload(null, JSON.parse(text))), true);
  });

  it('two rules of the same kind on one field stack (allOf) instead of the second replacing the first', () => {
    const text = build([
      { field: 'subject', op: 'contains', value: 'Order', type: 'string' },
      { field: 'subject', op: 'contains', value: 'paid', type: 'string' },
    ]);
    assert.equal(matches(text, { subject: 'Order 12 paid' }), true);
    assert.equal(matches(text, { subject: 'Order 12' }), false);
    assert.deepEqual(describeCondition(text), ['subject contains "Order"', 'subject contains "paid"']);
  });

  it('keeps what the raw JSON already says and types values by the payload schema', () => {
    const text = build(
      [
        { field: 'email_id', op: 'equals', value: '7', type: 'integer' },
        { field: 'seen', op: 'equals', value: 'false', type: 'boolean' },
      ],
      '{ "type": "object", "anyOf": [{ "required": ["a"] }, { "required": ["b"] }] }',
    );
    const schema = JSON.parse(text);
    assert.deepEqual(schema.anyOf, [{ required: ['a'] }, { required: ['b'] }]);
    assert.deepEqual(schema.properties, { email_id: { const: 7 }, seen: { const: false } });
  });

  it('refuses a rule it cannot write, saying why', () => {
    assert.equal(addRule('', { field: '', op: 'exists', value: '' }).error, 'Choose a field.');
    assert.equal(addRule('', { field: 'n', op: 'greater', value: 'many' }).error, 'The value must be a number.');
    assert.equal(addRule('', { field: 'ok', op: 'equals', value: 'yes', type: 'boolean' }).error, 'The value must be true or false.');
    assert.equal(addRule('{ not json', { field: 'a', op: 'exists', value: '' }).error, 'Fix the JSON of the condition below first.');
    assert.equal(describeCondition('{ not json'), null);
  });

  it('the sample fills an event payload’s fields and overlays the condition’s', () => {
    const event = { type: 'object', properties: { subject: { type: 'string' }, email_id: { type: 'integer' }, seen: { type: 'boolean' } } };
    const condition = {
      type: 'object',
      required: ['code'],
      properties: { email_id: { type: 'number', exclusiveMinimum: 10 }, mailbox: { const: 'a@b.test' } },
    };
    assert.deepEqual(samplePayload(event, condition), { subject: 'sample subject', email_id: 11, seen: true, mailbox: 'a@b.test', code: 'sample code' });
    assert.deepEqual(samplePayload(null, null), {});
  });
});
