/**
 * Child process running an MqttService over a DB (stand-in for `parley run` in the
 * T09/T10 fault tests). argv: <dbPath> <brokerUrl> <segmentsToInsert>
 * Prints `started`, then `queued <lastSeq>` after inserting, then keeps running
 * (until killed); prints `connected` whenever the service connects.
 */
import { makeService } from './mqtt-service.js';

const [dbPath, url, countArg] = process.argv.slice(2);
const h = makeService(dbPath, url, { deviceId: 'kid' });
h.service.start();
process.stdout.write('started\n');
const seqs = h.addSegments(Number(countArg ?? 0));
process.stdout.write(`queued ${seqs.at(-1) ?? h.db.outbox.stats().lastSeq}\n`);
let was = false;
setInterval(() => {
  const c = h.service.stats().connected;
  if (c && !was) process.stdout.write('connected\n');
  was = c;
}, 50);
process.on('SIGTERM', () => {
  void h.close().then(() => process.exit(0));
});
