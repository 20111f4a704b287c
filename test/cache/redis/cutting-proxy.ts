import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a Redis, for faults a signal to the server cannot time: it can cut every
 * connection at once, or cut a connection at the moment its client sends a given command, before
 * the server sees it (so the client is left with that command unanswered).
 */
export class CuttingProxy {
  private readonly sockets = new Set<Socket>();
  /** A command (upper case) whose sending cuts its connection, while set. */
  private cutOn: string | undefined;
  /** How many connections were cut on `cutOn`. */
  cuts = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<CuttingProxy> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const proxy = new CuttingProxy(server, port);
    server.on('connection', (client) => proxy.relay(client, targetPort));
    return proxy;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** From now on, a connection whose client sends `command` is cut instead (undefined: never). */
  cutWhenSent(command: string | undefined): void {
    this.cutOn = command?.toUpperCase();
  }

  /** Cuts every open connection (the clients see their sockets close and reconnect). */
  cutAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private relay(client: Socket, targetPort: number): void {
    const upstream = createConnection(targetPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', cut).on('error', cut);
    upstream.on('close', cut).on('error', cut);
    client.on('data', (chunk: Buffer) => {
      // Commands travel as RESP arrays of bulk strings: the name is one of them, as it was typed.
      if (this.cutOn !== undefined && chunk.toString('latin1').toUpperCase().includes(this.cutOn)) {
        this.cuts++;
        return cut();
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const forget = (): void => void (this.sockets.delete(client), this.sockets.delete(upstream));
    client.on('close', forget);
  }
}
