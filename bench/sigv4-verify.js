// What SigV4 verification costs per request (the server's share): a signed Invoke with a small
// payload, verified N times by the same verifier the server uses. Prints µs per verification.
//   npm run build && node bench/sigv4-verify.js [iterations]
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { SigV4Verifier } from '../dist/api/auth/sigv4.js';

const N = Number(process.argv[2] ?? 20000);
const creds = { accessKeyId: 'AKIABENCH00000000000', secretAccessKey: 'bench-secret-0123456789abcdefghijklmnop' };
const body = Buffer.from(JSON.stringify({ name: 'Ada', items: [1, 2, 3] }));
const signer = new SignatureV4({ credentials: creds, region: 'us-east-1', service: 'lambda', sha256: Hash.bind(null, 'sha256'), applyChecksum: false });
const path = '/2015-03-31/functions/hello-node/invocations';
const signed = await signer.sign({
  method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 9000, path, query: { Qualifier: '$LATEST' },
  headers: { host: '127.0.0.1:9000', 'content-type': 'application/octet-stream', 'x-amz-invocation-type': 'RequestResponse', 'content-length': String(body.length) },
  body,
});
const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
const verifier = new SigV4Verifier({ ...creds, source: 'bench' });
const req = { method: 'POST', path, rawQuery: 'Qualifier=%24LATEST', headers, body };
for (let i = 0; i < 2000; i++) await verifier.verify(req); // warm up (JIT, signing key cache)
const t0 = process.hrtime.bigint();
for (let i = 0; i < N; i++) await verifier.verify(req);
const us = Number(process.hrtime.bigint() - t0) / 1000 / N;
console.log(`SigV4 verification: ${us.toFixed(1)} µs per request (${N} requests, ${body.length}-byte body)`);
