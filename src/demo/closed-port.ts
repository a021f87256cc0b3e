/** A loopback port that was free a moment ago and has no listener now: connecting to it is refused (the blind demo's metrics source). */
import { createServer, type AddressInfo } from 'node:net';

export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}
