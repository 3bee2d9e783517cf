import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { applyMigrations, migrations, type Migration } from '../../../src/storage/migrations.js';

test('registry versions are unique, ordered and inside the reserved ranges', () => {
  const versions = migrations.map((m) => m.version);
  assert.deepEqual([...versions].sort((a, b) => a - b), versions);
  assert.equal(new Set(versions).size, versions.length);
  for (const v of versions) assert.ok(v >= 1 && v <= 49, `version ${v}`);
});

test('migrations apply once, are recorded, and a failing one rolls back alone', () => {
  const db = new Database(':memory:');
  assert.deepEqual(applyMigrations(db), migrations.map((m) => m.version));
  assert.deepEqual(applyMigrations(db), []);
  const bad: Migration = { version: 99, name: 'bad', up: (d) => { d.exec('CREATE TABLE half (x)'); throw new Error('boom'); } };
  assert.throws(() => applyMigrations(db, [...migrations, bad]), /boom/);
  const names = db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all();
  assert.equal(names.length, 0, 'failed migration rolled back');
  const rec = db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[];
  assert.deepEqual(rec.map((r) => r.version), migrations.map((m) => m.version));
  db.close();
});

test('duplicate versions are refused', () => {
  const db = new Database(':memory:');
  const a: Migration = { version: 10, name: 'a', up: () => {} };
  assert.throws(() => applyMigrations(db, [a, { ...a, name: 'b' }]), /duplicate migration version 10/);
  db.close();
});
