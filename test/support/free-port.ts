/**
 * A TCP port on 127.0.0.1 that nothing listens on, for a test server started as a child
 * process, which must be told its port rather than pick one. Another process could take the
 * port before the child binds it; the test machines run few enough servers for that to be rare.
 */
import { createServer } from "node:net";

/**
 * Asks the system for a free port by listening on port 0 and closing again.
 *
 * @example
 * const port = await freePort();
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
