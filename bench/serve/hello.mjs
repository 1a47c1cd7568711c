// The ceiling: a bare node:http server that answers every request with a small JSON body.
// node bench/serve/hello.mjs PORT
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 8090);
const body = JSON.stringify({ ok: true });
createServer((request, response) => {
  request.resume();
  request.on("end", () => {
    response.writeHead(200, { "content-type": "application/json", "content-length": body.length });
    response.end(body);
  });
}).listen(port, "127.0.0.1", () => process.stdout.write(`listening ${port}\n`));
