import { EventEmitter } from 'node:events';
import { ConnectionErrors } from '../../../src/cache/redis/connection-errors';

describe('ConnectionErrors', () => {
  it('holds nothing before a connection fails', () => {
    const errors = new ConnectionErrors();
    errors.watch(new EventEmitter());
    expect(errors.last).toBeUndefined();
  });

  it("keeps a connection's last error until the connection is ready again", () => {
    const errors = new ConnectionErrors();
    const connection = new EventEmitter();
    errors.watch(connection);
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:1');
    connection.emit('error', new Error('getaddrinfo ENOTFOUND redis'));
    connection.emit('error', refused);
    expect(errors.last).toBe(refused);
    connection.emit('ready');
    expect(errors.last).toBeUndefined();
  });

  it('answers with the most recent error of the connections not ready since', () => {
    const errors = new ConnectionErrors();
    const [client, subscriber] = [new EventEmitter(), new EventEmitter()];
    errors.watch(client);
    errors.watch(subscriber);
    const first = new Error('client refused');
    const second = new Error('subscriber refused');
    client.emit('error', first);
    subscriber.emit('error', second);
    expect(errors.last).toBe(second);
    client.emit('error', first);
    expect(errors.last).toBe(first);
    client.emit('ready');
    expect(errors.last).toBe(second);
  });
});
