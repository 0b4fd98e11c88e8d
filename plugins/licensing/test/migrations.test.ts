import assert from 'node:assert/strict';
import * as kindMigration from '../migrations/20261123030100_licensing_license_kind.js';
import { generate, startLicensingApp, tenantKey, type LicensingApp } from './license-helpers.js';

describe('licensing: the kind migration', () => {
  let t: LicensingApp;
  before(async () => {
    t = await startLicensingApp();
  });
  after(() => t?.close());

  it('rows from before get kind robot for WorkBot codes (product workbot), license otherwise; down removes the column', async () => {
    const { key } = await tenantKey(t);
    const mine = await generate(t, key);
    const robotCode = await generate(t, key);
    await kindMigration.down(t.db);
    assert.equal(await t.db.schema.hasColumn('licensing_licenses', 'kind'), false);
    await t.db('licensing_licenses').where('license_id', robotCode.license_id).update({ product: 'workbot' });

    await kindMigration.up(t.db);
    const kinds = Object.fromEntries(
      (await t.db('licensing_licenses').whereIn('license_id', [mine.license_id, robotCode.license_id]).select('license_id', 'kind')).map((r) => [
        r.license_id,
        r.kind,
      ]),
    );
    assert.deepEqual(kinds, { [mine.license_id]: 'license', [robotCode.license_id]: 'robot' });
  });
});
