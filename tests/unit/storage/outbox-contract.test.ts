import { outboxStoreContract } from '../../contract/outbox-store.contract.js';
import { openTestDb, tmpDbPath } from '../../helpers/storage-tmp.js';

outboxStoreContract('OutboxRepo (WAL file)', () => {
  const t = tmpDbPath();
  const p = openTestDb(t.path);
  return { store: p.outbox, dispose: () => { p.close(); t.cleanup(); } };
});

outboxStoreContract('OutboxRepo (:memory:)', () => {
  const p = openTestDb(':memory:');
  return { store: p.outbox, dispose: () => p.close() };
});
