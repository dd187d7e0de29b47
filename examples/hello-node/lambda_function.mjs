// A first lambkin function (Node.js). Deploy: npx lambkin deploy examples/hello-node
// Module-level state lives as long as the execution environment: `invocations` counts the
// requests this warm environment has served, and starts again at 1 after a cold start.
let invocations = 0;

export const lambda_handler = async (event, context) => {
  invocations += 1;
  const name = typeof event?.name === 'string' && event.name ? event.name : 'world';
  console.log(`greeting ${name} (invocation ${invocations} of this environment)`);
  return {
    message: `Hello, ${name}!`,
    invocations,
    requestId: context.awsRequestId,
  };
};
