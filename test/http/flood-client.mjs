// The attacker of test/http/login-flood.test.ts, in a worker thread of its own so its work does not slow the server's event loop.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const { port, connections, maxMs } = workerData;
const agent = new Agent({ keepAlive: true, maxSockets: connections });
const answers = [];
let stop = false;
let sent = 0;
const deadline = performance.now() + maxMs;
parentPort.on('message', (message) => {
  if (message === 'stop') stop = true;
});

function get(authorization) {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/login', headers: { authorization }, localAddress: '127.0.0.2', agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode, endedAt: performance.timeOrigin + performance.now() }));
      },
    );
    req.on('error', () => resolve({ status: 0, endedAt: performance.timeOrigin + performance.now() }));
    req.end();
  });
}

async function connection(c) {
  while (!stop && performance.now() < deadline) {
    sent++;
    const id = `ATK${c}X${sent}`;
    answers.push(await get(`Basic ${Buffer.from(`${id}:guess`).toString('base64')}`));
  }
}

parentPort.postMessage('started');
await Promise.all(Array.from({ length: connections }, (_, c) => connection(c)));
agent.destroy();
parentPort.postMessage({ answers });
