// The client's floor: a server that does nothing but answer every request with `{}` at once, as
// an Invoke's 200. The benchmarks run it in a process of its own and point the same AWS SDK client
// at it as at the platforms, so that a run says what the client and this machine cost by themselves.
// Prints `listening on http://127.0.0.1:<port>` when ready.
import { createServer } from 'node:http';

const BODY = Buffer.from('{}');
const HEADERS = { 'Content-Type': 'application/json', 'Content-Length': String(BODY.length), 'X-Amz-Executed-Version': '$LATEST' };

const server = createServer((req, res) => {
  // The request body is read (as a platform must) but not looked at.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, HEADERS);
    res.end(BODY);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
