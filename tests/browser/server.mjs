// A tiny static server for the browser test: serves wasm/ (so /demo/index.html and /pkg/…) on
// 127.0.0.1, and answers POST /api/submissions the way a portal's back end would, by checking the
// submission with the NATIVE core (the verify-submission example) and answering with its verdict.

import { createServer } from 'node:http';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

const MAX_BODY = 8 * 1024 * 1024;

/** Runs the native verifier on `file`; resolves to { code, stdout, stderr }. */
export function verifyNatively(verifyBin, file, json = false) {
  return new Promise((resolve) => {
    execFile(verifyBin, json ? [file, '--json'] : [file], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/**
 * Starts the server. `root` is the folder served; `verifyBin` the native verifier; `isolated`
 * serves pages cross-origin isolated (for timing).
 * Resolves to { url, received, close } where `received` lists the bodies POSTed.
 */
export async function startServer({ root, verifyBin, isolated = false }) {
  const received = [];
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sunlight-e2e-'));
  let n = 0;

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      if (req.method === 'POST' && url.pathname === '/api/submissions') {
        const chunks = [];
        let size = 0;
        for await (const c of req) {
          size += c.length;
          if (size > MAX_BODY) { res.writeHead(413).end(); return; }
          chunks.push(c);
        }
        const body = Buffer.concat(chunks).toString('utf8');
        received.push(body);
        const file = path.join(tmp, `submission-${++n}.json`);
        await fs.writeFile(file, body);
        const v = await verifyNatively(verifyBin, file, true);
        const status = v.code === 0 ? 200 : v.code === 1 ? 422 : 500;
        const answer = v.code === 0 || v.code === 1 ? v.stdout : JSON.stringify({ ok: false, message: v.stderr || 'verifier failed' });
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(answer);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405).end(); return; }
      const rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
      const file = path.resolve(root, rel || 'demo/index.html');
      if (file !== root && !file.startsWith(root + path.sep)) { res.writeHead(403).end(); return; }
      const data = await fs.readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'cache-control': 'no-store',
        // Cross-origin isolation gives performance.now() 5 µs resolution instead of 100 µs.
        ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}),
      }).end(req.method === 'HEAD' ? undefined : data);
    } catch (e) {
      res.writeHead(e && e.code === 'ENOENT' ? 404 : 500, { 'content-type': 'text/plain' }).end(String(e && e.message));
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await fs.rm(tmp, { recursive: true, force: true });
    },
  };
}
