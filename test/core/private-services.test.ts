// privateServices (core/plugins/private-services.ts): a plugin's own services, registered under a
// name Cradle does not list and read back typed through the plugin's accessor.
import assert from 'node:assert/strict';
import { createContainer, InjectionMode } from 'awilix';
import { type Cradle, privateServices } from 'plinth/plugin';

const fresh = () => createContainer<Cradle>({ injectionMode: InjectionMode.PROXY, strict: true });

describe('privateServices: a plugin’s own services in the container', () => {
  const own = privateServices<{ count(): number }>('testOwnServices');

  it('registers the value and gives it back from the container or from anything that carries one', () => {
    const container = fresh();
    const value = { count: () => 3 };
    own.register(container, value);
    assert.equal(own.of(container), value);
    assert.equal(own.of({ container }).count(), 3);
    assert.equal(own.name, 'testOwnServices');
  });

  it('refuses a name that is registered already (two plugins cannot share one)', () => {
    const container = fresh();
    own.register(container, { count: () => 1 });
    assert.throws(() => own.register(container, { count: () => 2 }), /"testOwnServices" are registered already/);
    assert.equal(own.of(container).count(), 1);
  });

  it('throws like any unregistered name when its plugin did not register (strict container)', () => {
    assert.throws(() => own.of(fresh()), /testOwnServices/);
  });
});
