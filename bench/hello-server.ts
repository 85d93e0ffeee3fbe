// The ceiling: a bare node:http hello-world server, run by the benchmark in a process of its own.
import { createServer } from 'node:http';

const port = Number(process.env.PORT);
createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('hello world');
}).listen(port, '127.0.0.1');
