// Builds the migrated, demo-seeded PGlite data directory that every test file starts from.
import { writeFileSync } from 'node:fs';
import { openPglite } from '../src/db/db.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadDemo } from '../src/demo.ts';

const out = process.argv[2];
if (!out) throw new Error('usage: make-test-template.ts <file>');
const db = await openPglite('memory://');
await migrate(db);
await loadDemo(db);
const dump = await db.pglite.dumpDataDir('none');
writeFileSync(out, Buffer.from(await dump.arrayBuffer()));
await db.close();
