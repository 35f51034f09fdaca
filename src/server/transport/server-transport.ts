// What the server loop needs from a transport: requests in as frames ([identity, ...envelope, body], the ZeroMQ ROUTER
// shape), replies out in the same shape. ZeroMQ (tcp, ipc, inproc; CURVE) and plain Unix sockets (unix://) provide it.

export interface ServerTransport {
  /** The bound address, as clients should write it (a tcp port picked by the OS is filled in). */
  readonly address: string;
  /** The next request from any connection; rejects once the transport is closed. */
  receive(): Promise<Buffer[]>;
  /** A reply to the connection named by frames[0]; a reply to a connection that has gone is dropped. */
  send(frames: Buffer[]): Promise<void>;
  close(): void;
}
