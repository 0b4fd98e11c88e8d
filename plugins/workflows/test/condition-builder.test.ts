import assert from 'node:assert/strict';
import { createAjv } from 'plinth/plugin';
import { addMessages } from 'plinth/plugin/ui';
import en from '../ui/messages/en.json' with { type: 'json' };
import { addRule, describeCondition, removeRule } from '../ui/condition-builder.js';
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
  // The rules and errors are in the UI's words: the plugin's English catalogue, as its UI entry registers it.
  before(() => addMessages({ en }));

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

  it('removes one rule and leaves the others as they were (stacked rules, exists, does not equal, rules on the value itself)', () => {
    const text = build([
      { field: 'subject', op: 'contains', value: 'Order', type: 'string' },
      { field: 'amount', op: 'greater', value: '10' },
      { field: 'amount', op: 'greater', value: '20' },
      { field: 'code', op: 'exists', value: '' },
      { field: 'status', op: 'not_equals', value: 'test' },
    ]);
    const rules = describeCondition(text)!;
    assert.deepEqual(rules, [
      'subject contains "Order"',
      'amount is greater than 10',
      'amount is greater than 20',
      'status does not equal "test"',
      'code exists',
    ]);
    const without = (sentence: string, from = text) => {
      const next = removeRule(from, describeCondition(from)!.indexOf(sentence));
      assert.deepEqual(
        describeCondition(next),
        describeCondition(from)!.filter((r) => r !== sentence),
        sentence,
      );
      return JSON.parse(next);
    };
    // The stacked one goes from allOf (emptied allOf goes too); the field stays required.
    const second = without('amount is greater than 20');
    assert.deepEqual(second.properties.amount, { type: 'number', exclusiveMinimum: 10 });
    assert.ok(second.required.includes('amount'));
    // The first going leaves the stacked one as the builder would have written it alone.
    assert.deepEqual(without('amount is greater than 10').properties.amount, { type: 'number', exclusiveMinimum: 20 });
    // The last rule on a field takes its property and its "exists" with it; the others are untouched.
    const subject = without('subject contains "Order"');
    assert.equal(subject.properties.subject, undefined);
    assert.deepEqual(subject.required, ['amount', 'code']);
    assert.deepEqual(subject.properties.status, { not: { const: 'test' } });
    assert.deepEqual(without('code exists').required, ['subject', 'amount']);
    assert.equal(without('status does not equal "test"').properties.status, undefined);
    // A "does not equal" beside an "exists" on the same field: removing one keeps the other.
    const both = build([
      { field: 'kind', op: 'not_equals', value: 'x' },
      { field: 'kind', op: 'exists', value: '' },
    ]);
    assert.deepEqual(describeCondition(both), ['kind does not equal "x"', 'kind exists']);
    assert.deepEqual(without('kind does not equal "x"', both), { type: 'object', required: ['kind'] });
    assert.deepEqual(without('kind exists', both), { type: 'object', properties: { kind: { not: { const: 'x' } } } });
    // A stop_if testing one value: its rule reads and goes like any other.
    assert.deepEqual(describeCondition('{ "const": "stop" }'), ['the value equals "stop"']);
    assert.deepEqual(JSON.parse(removeRule('{ "const": "stop", "type": "string" }', 0)), { type: 'string' });
    // Out of range, or not JSON: the text as it was.
    assert.equal(removeRule(text, 99), text);
    assert.equal(removeRule('{ not json', 0), '{ not json');
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
