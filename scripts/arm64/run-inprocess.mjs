#!/usr/bin/env node
// Runs node:test files inside ONE process (qemu-user cannot start the arm64 node binary as a
// child, which `node --test` does per file). Usage: node run-inprocess.mjs FILE...
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const files = process.argv.slice(2);
if (files.length === 0 || files.includes('--help')) {
  console.error('usage: node run-inprocess.mjs TEST_FILE...');
  process.exit(2);
}
for (const f of files) await import(pathToFileURL(resolve(f)).href);
