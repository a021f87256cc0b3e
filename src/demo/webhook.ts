/** A local Slack-style webhook receiver for the demo: every POST body is appended to a log file. */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type WebhookReceiver = { readonly url: string; close(): Promise<void> };

export function startWebhookReceiver(logFile: string): Promise<WebhookReceiver> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405).end();
        return;
      }
      appendFileSync(logFile, `${new Date().toISOString()} webhook ${req.url ?? '/'} ${body}\n`);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.unref();
      resolve({
        url: `http://127.0.0.1:${port}/hooks/releases`,
        // a kept-alive connection does not hold the demo's exit (the cockpit has drained its messages by then)
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}
