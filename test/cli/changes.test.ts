// Writes made by the `thalamus` command land in the change log too, as actor "cli", and a failed import leaves none.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Db } from '../../src/db/db.ts';
import { readChanges } from '../../src/store/changes.ts';
import { eachBackend, seededDb } from '../helper.ts';
import { cli } from './cli-io.ts';

eachBackend('thalamus commands and the change log', (backend) => {
  let db: Db;
  before(async () => {
    db = await seededDb(backend);
  });
  after(() => db.close());

  const since = async () => (await readChanges(db, { since: 0, limit: 1000 })).next;
  const logged = async (from: number) =>
    (await readChanges(db, { since: from, limit: 1000 })).changes.map(({ resource, id, person, operation, actor, node }) => ({
      resource,
      id,
      person,
      operation,
      actor,
      node,
    }));
  const cliChange = (resource: string, id: string, person: string | null, operation: string) => ({
    resource,
    id,
    person,
    operation,
    actor: 'cli',
    node: null,
  });

  test('user add, passwd and roles: one change each', async () => {
    const base = await since();
    assert.equal((await cli(['user', 'add', 'CLICHG001AAA'], { db, stdin: 'a long enough secret\n' })).code, 0);
    assert.equal((await cli(['user', 'passwd', 'CLICHG001AAA'], { db, stdin: 'another long secret\n' })).code, 0);
    assert.equal((await cli(['user', 'roles', 'CLICHG001AAA', 'health_professional'], { db })).code, 0);
    assert.deepEqual(await logged(base), [
      cliChange('people', 'CLICHG001AAA', 'CLICHG001AAA', 'create'),
      cliChange('people', 'CLICHG001AAA', 'CLICHG001AAA', 'update'),
      cliChange('people', 'CLICHG001AAA', 'CLICHG001AAA', 'update'),
    ]);
  });

  test('import: a change per row created or changed; re-importing the same file adds none; a bad file none', async () => {
    const base = await since();
    const file = [
      { table: 'people', id: 'CLIIMP001AAA', data: { id: 'CLIIMP001AAA', name: 'Imported' } },
      { table: 'pols', id: 'cli-imported-page', book: 'CLIIMP001AAA', data: { id: 'cli-imported-page' } },
      { table: 'institutions', id: 'CLI-INST', data: { name: 'Imported clinic' } },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    assert.equal((await cli(['import', '-'], { db, stdin: file })).code, 0);
    assert.deepEqual(await logged(base), [
      cliChange('people', 'CLIIMP001AAA', 'CLIIMP001AAA', 'create'),
      cliChange('pols', 'cli-imported-page', 'CLIIMP001AAA', 'create'),
      cliChange('institutions', 'CLI-INST', null, 'create'),
    ]);
    const afterFirst = await since();
    assert.equal((await cli(['import', '-'], { db, stdin: file })).code, 0);
    const bad = `${JSON.stringify({ table: 'dus', id: 'CLI-DU', data: {} })}\nnot json\n`;
    assert.equal((await cli(['import', '-'], { db, stdin: bad })).code, 1);
    assert.deepEqual(await logged(afterFirst), []);
  });
});
