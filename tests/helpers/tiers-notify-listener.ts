/** A fake systemd notify socket: python3 bound to an AF_UNIX SOCK_DGRAM path, printing "<wall ms> <json message>" per datagram. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface NotifyMessage { atMs: number; text: string }

const LISTENER = [
  'import json, socket, sys, time',
  'a = sys.argv[1]',
  "a = '\\0' + a[1:] if a.startswith('@') else a",
  's = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)',
  's.bind(a)',
  "print('LISTENING', flush=True)",
  'while True:',
  '    d = s.recv(4096)',
  "    print('%d %s' % (time.time() * 1000, json.dumps(d.decode())), flush=True)",
].join('\n');

export async function startNotifyListener(address: string): Promise<{ messages: NotifyMessage[]; stop(): void }> {
  if (!existsSync('/usr/bin/python3')) throw new Error('/usr/bin/python3 is required for the fake notify socket (apt-get install python3)');
  const p = spawn('/usr/bin/python3', ['-c', LISTENER, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: NotifyMessage[] = [];
  let buf = '';
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('notify listener did not start')), 5000);
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line === 'LISTENING') {
          clearTimeout(t);
          resolve();
          continue;
        }
        const sp = line.indexOf(' ');
        messages.push({ atMs: Number(line.slice(0, sp)), text: JSON.parse(line.slice(sp + 1)) as string });
      }
    });
  });
  return { messages, stop: () => p.kill('SIGKILL') };
}
