// A function that streams its response (Node.js). Deploy: npx lambkin deploy examples/stream-node
// awslambda.streamifyResponse gives the handler a writable stream: what it writes reaches the
// caller at once — InvokeWithResponseStream's PayloadChunk events, or the body of a function URL
// in RESPONSE_STREAM mode — instead of all at the end. Called through a function URL, it answers
// an HTTP response (awslambda.HttpResponseStream.from: status, headers and cookies first).
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export const lambda_handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  if (event?.requestContext?.http) {
    responseStream = awslambda.HttpResponseStream.from(responseStream, {
      statusCode: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  const count = Math.min(Number(event?.queryStringParameters?.count ?? event?.count ?? 5) || 5, 50);
  for (let i = 1; i <= count; i++) {
    responseStream.write(`line ${i} of ${count} (request ${context.awsRequestId})\n`);
    await sleep(200);
  }
  responseStream.end();
});
