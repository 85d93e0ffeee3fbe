// Migration 031's index of FHIR resources: pages written before it are indexed, later writes kept in step by triggers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listMigrations, migrate } from '../../src/db/migrate.ts';
import { eachBackend, freshDb } from '../helper.ts';

const rowsOf = (db: { query: <T>(sql: string, p?: unknown[]) => Promise<T[]> }, page: string) =>
  db.query<{ type: string; id: string; key: string | null; value: unknown }>(
    'SELECT type, id, key, value FROM fhir_page_resources WHERE row_id = $1 ORDER BY type, id',
    [page],
  );

eachBackend('FHIR resource index (migration 031)', (backend) => {
  test('pages that existed before the migration are indexed; later inserts, updates and deletes follow', async () => {
    const db = await freshDb(backend);
    try {
      await migrate(
        db,
        listMigrations().filter((m) => m.version < 31),
      );
      await db.query(`INSERT INTO people VALUES ('ESPGNU777ORG', '{"name": "Ana"}')`);
      const hmis = {
        page_type: 'medical',
        medical_context: 'encounter',
        measurements: "{'hr': 70, 'osat': None, 'bp': {'systolic': 130, 'diastolic': 85}}",
      };
      await db.query('INSERT INTO pols VALUES ($1, $2, $3::jsonb)', ['p1', 'ESPGNU777ORG', JSON.stringify(hmis)]);
      await migrate(db);
      assert.deepEqual(await rowsOf(db, 'p1'), [
        { type: 'Encounter', id: 'p1', key: null, value: null },
        { type: 'Observation', id: 'p1-bp', key: 'bp', value: { systolic: 130, diastolic: 85 } },
        { type: 'Observation', id: 'p1-hr', key: 'hr', value: 70 },
      ]);
      await db.query(`UPDATE pols SET data = data || '{"privacy": true}' WHERE id = 'p1'`);
      assert.deepEqual(await rowsOf(db, 'p1'), []);
      const unreadable = { domain: 'medical', context: 'self_monitoring', measurements: "{'hr': <unreadable>}" };
      await db.query('INSERT INTO pols VALUES ($1, $2, $3::jsonb)', ['p2', 'ESPGNU777ORG', JSON.stringify(unreadable)]);
      assert.deepEqual(await rowsOf(db, 'p2'), [{ type: 'DocumentReference', id: 'p2', key: null, value: null }]);
      await db.query(`DELETE FROM pols WHERE id = 'p2'`);
      assert.deepEqual(await rowsOf(db, 'p2'), []);
    } finally {
      await db.close();
    }
  });
});
