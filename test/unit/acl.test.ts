// roles.cfg parsing and the reference's authorization rule, including the shipped etc/roles.cfg.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { can, isGlobal, parseRoles } from '../../src/auth/acl.ts';
import { loadRolesFile } from '../../src/auth/roles-file.ts';
import { DEFAULT_ROLES_PATH } from '../../src/config.ts';

// The reference's shipped file, as operators have it.
const REFERENCE = [
  {
    role: 'end_user',
    permissions: {
      GET: ['login', 'person', 'book', 'page', 'password'],
      PATCH: ['person', 'page'],
      POST: ['page', 'password'],
      global: 'False',
    },
  },
  {
    role: 'health_professional',
    permissions: {
      GET: ['login', 'people', 'person', 'book', 'page'],
      PATCH: ['person', 'page'],
      POST: ['person', 'page'],
      global: 'True',
    },
  },
  {
    role: 'root',
    permissions: {
      GET: ['login', 'people', 'person', 'book', 'page', 'password'],
      PATCH: ['person', 'page'],
      POST: ['person', 'page', 'password'],
      DELETE: ['person', 'page'],
      global: 'True',
    },
  },
];
const ana = { id: 'ESPGNU777ORG', roles: ['end_user'] };
const cameron = { id: 'ITAPYT999HON', roles: ['end_user', 'health_professional'] };

test('the reference roles.cfg loads as is, global as the string "True"/"False"', () => {
  const roles = parseRoles(REFERENCE);
  assert.deepEqual([...roles.keys()], ['end_user', 'health_professional', 'root']);
  assert.equal(roles.get('end_user')?.global, false);
  assert.equal(roles.get('root')?.global, true);
  assert.equal(isGlobal(roles, cameron.roles), true);
  assert.equal(isGlobal(roles, ana.roles), false);
});

test('global may be a boolean; a bad value or shape is an error naming the role', () => {
  assert.equal(parseRoles([{ role: 'r', permissions: { GET: [], global: true } }]).get('r')?.global, true);
  assert.throws(
    () => parseRoles([{ role: 'r', permissions: { global: 'yes' } }]),
    /role "r": "global" must be "True", "False" or a boolean/,
  );
  assert.throws(() => parseRoles({}), /expected a JSON array of roles/);
  assert.throws(() => parseRoles([{ role: 'r', permissions: { FETCH: [] } }]), /role "r": unknown method "FETCH"/);
  assert.throws(() => parseRoles([{ role: 'r', permissions: { GET: 'login' } }]), /GET must be a list of endpoint names/);
});

test('the rule: endpoint under the method, and own record unless the role is global', () => {
  const roles = parseRoles(REFERENCE);
  assert.equal(can(roles, ana, { method: 'GET', endpoint: 'person', personId: ana.id }), true);
  assert.equal(can(roles, ana, { method: 'GET', endpoint: 'person', personId: cameron.id }), false);
  assert.equal(can(roles, cameron, { method: 'GET', endpoint: 'person', personId: ana.id }), true);
  assert.equal(can(roles, ana, { method: 'GET', endpoint: 'people' }), false);
  assert.equal(can(roles, ana, { method: 'DELETE', endpoint: 'page', personId: ana.id }), false, 'a missing method means none');
  assert.equal(can(roles, { id: 'X', roles: ['unknown'] }, { method: 'GET', endpoint: 'login' }), false);
});

test('HEAD is checked as GET, PUT as PATCH', () => {
  const roles = parseRoles(REFERENCE);
  assert.equal(can(roles, ana, { method: 'HEAD', endpoint: 'book', personId: ana.id }), true);
  assert.equal(can(roles, ana, { method: 'PUT', endpoint: 'page', personId: ana.id }), true);
  assert.equal(can(roles, ana, { method: 'PUT', endpoint: 'page', personId: cameron.id }), false);
});

test('the shipped etc/roles.cfg keeps the reference grants and opens documents, units and institutions', () => {
  const shipped = loadRolesFile(DEFAULT_ROLES_PATH);
  const reference = parseRoles(REFERENCE);
  for (const [name, rule] of reference) {
    for (const [method, endpoints] of rule.methods) {
      for (const endpoint of endpoints) assert.ok(shipped.get(name)?.methods.get(method)?.has(endpoint), `${name} ${method} ${endpoint}`);
    }
    assert.equal(shipped.get(name)?.global, rule.global);
  }
  assert.equal(can(shipped, ana, { method: 'GET', endpoint: 'personaldocs', personId: ana.id }), true);
  assert.equal(can(shipped, ana, { method: 'POST', endpoint: 'poldocs', personId: ana.id }), true);
  assert.equal(can(shipped, cameron, { method: 'POST', endpoint: 'institution' }), true);
  assert.equal(can(shipped, ana, { method: 'GET', endpoint: 'domiciliaryunits' }), false);
});
