/** A TCP proxy for the share tests: what stands between a follower and its driver, and can cut the network. */
import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy to `port` that can cut the network: every connection dropped, and new ones accepted
 * but never answered (packets lost, as a cut cable or a sleeping laptop's Wi-Fi: no refusal comes
 * back), until restored.
 */
export class Proxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private blackhole = false;
  port = 0;
  constructor(private readonly target: number) {
    this.server = createServer((c) => {
      this.track(c);
      if (this.blackhole) return; // accepted, never answered
      const up = connect(this.target, '127.0.0.1');
      this.track(up);
      up.on('close', () => c.destroy());
      c.on('close', () => up.destroy());
      c.pipe(up).pipe(c);
    });
  }
  private track(s: Socket): void {
    this.sockets.add(s);
    s.on('close', () => this.sockets.delete(s));
    s.on('error', () => s.destroy());
  }
  async open(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }
  cut(): void {
    this.blackhole = true;
    for (const s of this.sockets) s.destroy();
  }
  restore(): void {
    this.blackhole = false;
    for (const s of this.sockets) s.destroy();
  }
  close(): void {
    this.cut();
    this.server.close();
  }
}
