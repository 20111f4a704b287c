/** What the watch needs of a connection: an ioredis client, or its subscriber duplicate. */
interface Connection {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * The last error of each connection the tier owns, until that connection is ready again. While
 * Redis cannot be reached, all a failed command says is ioredis's "Reached the max retries per
 * request limit"; the cause (`ECONNREFUSED`, `ENOTFOUND`, a TLS or auth failure) only ever
 * arrives as the connection's 'error' event, kept here for `health()` and the tier's reports.
 */
export class ConnectionErrors {
  /** In the order the errors came: the most recent is the last. */
  private readonly byConnection = new Map<Connection, unknown>();

  /**
   * Listens to `connection`'s errors. Its 'error' listener is also what keeps an error from
   * crashing the process (an 'error' event without one is thrown).
   */
  watch(connection: Connection): void {
    connection.on('error', (error) => {
      this.byConnection.delete(connection);
      this.byConnection.set(connection, error);
    });
    connection.on('ready', () => this.byConnection.delete(connection));
  }

  /** The most recent error of a connection that has not been ready since; undefined if none. */
  get last(): unknown {
    let last: unknown;
    for (const error of this.byConnection.values()) last = error;
    return last;
  }
}
